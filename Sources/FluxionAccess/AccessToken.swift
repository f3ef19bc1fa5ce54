import COpenSSL
import Foundation

/// One entry of the tokens file: who (`id`, for the audit trail), what they may do, and the
/// SHA-256 of the secret (the secret itself is never stored).
public struct AccessToken: Sendable, Equatable {
    public let id: String
    public let role: Role
    /// SHA-256 of the token's UTF-8 bytes, 32 bytes.
    public let hash: [UInt8]

    public init(id: String, role: Role, hash: [UInt8]) {
        self.id = id
        self.role = role
        self.hash = hash
    }

    /// SHA-256 of `secret`.
    public static func hash(_ secret: String) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        let bytes = Array(secret.utf8)
        bytes.withUnsafeBufferPointer { b in _ = SHA256(b.baseAddress, b.count, &digest) }
        return digest
    }

    /// A new secret: `flx_` and 32 random bytes from the operating system's generator, in hex.
    public static func generateSecret() throws(TokenFileError) -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        guard RAND_bytes(&bytes, 32) == 1 else { throw .noRandomness }
        return "flx_" + bytes.map { String(format: "%02x", $0) }.joined()
    }
}

/// Checks presented secrets against the tokens, in time that does not depend on where or
/// whether they match.
public struct TokenVerifier: Sendable {
    public let tokens: [AccessToken]

    public init(tokens: [AccessToken]) { self.tokens = tokens }

    /// The token whose hash matches `secret`'s, or nil. Every entry is compared in full with
    /// `CRYPTO_memcmp` (no early exit), so the time says nothing about the stored hashes.
    public func authenticate(_ secret: String) -> AccessToken? {
        let presented = AccessToken.hash(secret)
        var found: AccessToken?
        for token in tokens {
            let equal = presented.withUnsafeBytes { p in
                token.hash.withUnsafeBytes { t in CRYPTO_memcmp(p.baseAddress, t.baseAddress, 32) == 0 }
            }
            if equal, found == nil { found = token }
        }
        return found
    }

    /// The secret of an `authorization` metadata value `Bearer <secret>` (scheme case-insensitive).
    public static func bearerSecret(_ value: String) -> String? {
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let secret = parts[1].trimmingCharacters(in: .whitespaces)
        return secret.isEmpty ? nil : secret
    }
}

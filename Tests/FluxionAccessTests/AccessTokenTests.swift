import Foundation
import Testing

@testable import FluxionAccess

@Suite struct AccessTokenTests {
    /// FIPS 180-2, appendix B.1: SHA-256("abc").
    @Test func hashIsSHA256() {
        let hex = AccessToken.hash("abc").map { String(format: "%02x", $0) }.joined()
        #expect(hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func theVerifierFindsOnlyTheExactSecret() {
        let a = AccessToken(id: "a", role: .read, hash: AccessToken.hash("flx_a"))
        let b = AccessToken(id: "b", role: .operate, hash: AccessToken.hash("flx_b"))
        let verifier = TokenVerifier(tokens: [a, b])
        #expect(verifier.authenticate("flx_b") == b)
        #expect(verifier.authenticate("flx_a") == a)
        for wrong in ["flx_", "flx_b ", "FLX_B", "", b.hash.map { String(format: "%02x", $0) }.joined()] {
            #expect(verifier.authenticate(wrong) == nil, "\(wrong)")
        }
    }

    @Test func bearerHeaders() {
        #expect(TokenVerifier.bearerSecret("Bearer flx_x") == "flx_x")
        #expect(TokenVerifier.bearerSecret("bearer   flx_x") == "flx_x")
        #expect(TokenVerifier.bearerSecret("Basic flx_x") == nil)
        #expect(TokenVerifier.bearerSecret("Bearer") == nil)
        #expect(TokenVerifier.bearerSecret("flx_x") == nil)
    }

    @Test func rolesPerMethod() {
        #expect(AccessPolicy.requiredRole("InjectLeak", readAccess: .open) == .operate)
        #expect(AccessPolicy.requiredRole("SwapDetector", readAccess: .open) == .operate)
        #expect(AccessPolicy.requiredRole("QueryAlerts", readAccess: .open) == nil)
        #expect(AccessPolicy.requiredRole("QueryAlerts", readAccess: .token) == .read)
        #expect(AccessPolicy.requiredRole("Health", readAccess: .token) == nil)
        #expect(Role.operate >= .read && !(Role.read >= .operate))
    }

    @Test func tokensFileLinesAreCheckedWithFileAndLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let hash = String(repeating: "ab", count: 32)
        for (text, message) in [
            ("x read\n", "\(path):1: expected <id> <role> <sha256-hex>"),
            ("# c\n\nx admin \(hash)\n", "\(path):3: role 'admin' is not one of read, operate"),
            ("x read \(hash)\nx operate \(hash)\n", "\(path):2: id 'x' appears twice"),
        ] {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o600)
            #expect(throws: TokenFileError.self) { try TokenFile.load(path) }
            do { _ = try TokenFile.load(path) } catch { #expect(error.description == "tokens file \(message)") }
        }
        try "x read \(hash) # laptop\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o640)
        #expect(try TokenFile.load(path).map(\.id) == ["x"])
    }
}

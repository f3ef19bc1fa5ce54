import FluxionAccess
import FluxionWire

/// Who may call what: the tokens file (`--tokens`) and whether read calls need a token
/// (`--read-access`). Loop thread only; `reload()` re-reads the file (SIGHUP).
///
/// A call presents its token as metadata `authorization: Bearer <secret>`. Without a tokens
/// file every call is allowed (fluxiond then refuses to listen beyond loopback unless told to).
/// With one: methods that change the twin or the detectors need an `operate` token, read methods
/// need any token when `readAccess` is `.token`, Health and GetServerInfo are always open. A
/// missing or unknown token is UNAUTHENTICATED, a token whose role is too low PERMISSION_DENIED,
/// as in gRPC. The secret is never logged or echoed.
public final class AccessControl {
    public let tokensPath: String?
    public let readAccess: ReadAccess
    public private(set) var verifier: TokenVerifier?

    /// No tokens: every call allowed.
    public init() {
        tokensPath = nil
        readAccess = .open
        verifier = nil
    }

    /// Loads the tokens file at `tokensPath`.
    public init(tokensPath: String, readAccess: ReadAccess) throws(TokenFileError) {
        self.tokensPath = tokensPath
        self.readAccess = readAccess
        verifier = TokenVerifier(tokens: try TokenFile.load(tokensPath))
    }

    public var isEnabled: Bool { verifier != nil }

    /// Re-reads the tokens file; on error the tokens in force stay and the error is returned.
    public func reload() throws(TokenFileError) -> Int {
        guard let tokensPath else { return 0 }
        let tokens = try TokenFile.load(tokensPath)
        verifier = TokenVerifier(tokens: tokens)
        return tokens.count
    }

    /// The token a call of `method` presents, if the call is allowed; the error that ends it
    /// otherwise.
    public func authorize(_ method: String, metadata: [Wire.MetadataEntry]) -> Result<AccessToken?, RPCError> {
        guard let verifier else { return .success(nil) }
        let header = metadata.first { $0.key.lowercased() == "authorization" }
        let secret = header.flatMap { TokenVerifier.bearerSecret($0.value) }
        let token = secret.flatMap { verifier.authenticate($0) }
        guard let needed = AccessPolicy.requiredRole(method, readAccess: readAccess) else { return .success(token) }
        guard let token else {
            let why =
                header == nil
                ? "needs a token: send metadata 'authorization: Bearer <token>'"
                : secret == nil ? "authorization metadata must be 'Bearer <token>'" : "the token is not valid"
            return .failure(RPCError(.unauthenticated, "\(method) \(why)"))
        }
        guard token.role >= needed else {
            return .failure(
                RPCError(
                    .permissionDenied,
                    "\(method) needs a token with role \(needed.rawValue); token '\(token.id)' has role \(token.role.rawValue)"
                ))
        }
        return .success(token)
    }
}

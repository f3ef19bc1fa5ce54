import COpenSSL

/// An OpenSSL context: the server's certificate and key, or a client's trusted certificates.
/// TLS 1.2 at least; OpenSSL's default cipher suites. Shared by every session made from it.
public final class TLSContext: @unchecked Sendable {
    let raw: OpaquePointer
    /// Client contexts: check the server's certificate against this name (SNI and hostname).
    let isClient: Bool

    private init(_ raw: OpaquePointer, isClient: Bool) {
        self.raw = raw
        self.isClient = isClient
    }

    deinit { SSL_CTX_free(raw) }

    /// A server context from PEM files: the certificate chain (leaf first) and its private key.
    public static func server(certificateChain: String, privateKey: String) throws(TLSError) -> TLSContext {
        guard let ctx = SSL_CTX_new(TLS_server_method()) else { throw .openSSL("SSL_CTX_new") }
        let context = TLSContext(ctx, isClient: false)
        fluxion_ssl_set_min_proto_version(ctx, TLS1_2_VERSION)
        guard SSL_CTX_use_certificate_chain_file(ctx, certificateChain) == 1 else {
            throw .file(path: certificateChain, reason: TLSError.lastOpenSSLError())
        }
        guard SSL_CTX_use_PrivateKey_file(ctx, privateKey, SSL_FILETYPE_PEM) == 1 else {
            throw .file(path: privateKey, reason: TLSError.lastOpenSSLError())
        }
        guard SSL_CTX_check_private_key(ctx) == 1 else {
            throw .file(path: privateKey, reason: "does not match the certificate in \(certificateChain)")
        }
        return context
    }

    /// A client context that verifies the server against `caFile` (PEM), or the system's trusted
    /// certificates when nil.
    public static func client(caFile: String? = nil) throws(TLSError) -> TLSContext {
        guard let ctx = SSL_CTX_new(TLS_client_method()) else { throw .openSSL("SSL_CTX_new") }
        let context = TLSContext(ctx, isClient: true)
        fluxion_ssl_set_min_proto_version(ctx, TLS1_2_VERSION)
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
        if let caFile {
            guard SSL_CTX_load_verify_locations(ctx, caFile, nil) == 1 else {
                throw .file(path: caFile, reason: TLSError.lastOpenSSLError())
            }
        } else {
            SSL_CTX_set_default_verify_paths(ctx)
        }
        return context
    }
}

/// What went wrong with TLS, with OpenSSL's own reason.
public enum TLSError: Error, Equatable, Sendable, CustomStringConvertible {
    case file(path: String, reason: String)
    case openSSL(String)
    /// The handshake failed (a peer that does not speak TLS, a certificate that does not verify).
    case handshake(String)
    /// A record that does not decrypt, or the peer broke the protocol.
    case protocolError(String)

    public var description: String {
        switch self {
        case .file(let path, let reason): "TLS: \(path): \(reason)"
        case .openSSL(let what): "TLS: \(what) failed: \(TLSError.lastOpenSSLError())"
        case .handshake(let reason): "TLS handshake failed: \(reason)"
        case .protocolError(let reason): "TLS: \(reason)"
        }
    }

    /// OpenSSL's error queue as one line (and cleared).
    static func lastOpenSSLError() -> String {
        var parts: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            parts.append(buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        return parts.isEmpty ? "unknown error" : parts.joined(separator: "; ")
    }
}

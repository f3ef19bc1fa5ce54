import COpenSSL

/// One TLS connection as a byte transformer over memory BIOs: whoever owns the socket feeds it
/// the ciphertext that arrives and sends the ciphertext it produces. This keeps the socket with
/// its owner (fluxiond's libuv loop; the client's reader), so TLS adds no thread and no blocking.
///
/// ```
///  socket ──ciphertext──► receive() ──► plaintext (frames)
///  frames ──plaintext───► send()    ──► takeOutput() ──ciphertext──► socket
/// ```
///
/// Not thread-safe: one thread at a time (the caller serializes).
public final class TLSSession {
    private let ssl: OpaquePointer
    private let input: OpaquePointer  // BIO the peer's ciphertext is written to
    private let output: OpaquePointer  // BIO our ciphertext is read from
    private var plaintext = [UInt8](repeating: 0, count: 16 * 1024)

    /// - Parameter serverName: clients: the name the server's certificate must carry (also sent
    ///   as SNI). An IP address is checked against the certificate's IP addresses.
    public init(context: TLSContext, serverName: String? = nil) throws(TLSError) {
        guard let ssl = SSL_new(context.raw), let input = BIO_new(BIO_s_mem()), let output = BIO_new(BIO_s_mem())
        else { throw .openSSL("SSL_new") }
        self.ssl = ssl
        self.input = input
        self.output = output
        SSL_set_bio(ssl, input, output)  // the SSL object owns both BIOs now
        if context.isClient {
            SSL_set_connect_state(ssl)
            if let serverName {
                let param = SSL_get0_param(ssl)
                if serverName.contains(":") || serverName.allSatisfy({ $0.isNumber || $0 == "." }) {
                    X509_VERIFY_PARAM_set1_ip_asc(param, serverName)
                } else {
                    fluxion_ssl_set_tlsext_host_name(ssl, serverName)
                    X509_VERIFY_PARAM_set1_host(param, serverName, 0)
                }
            }
        } else {
            SSL_set_accept_state(ssl)
        }
    }

    deinit { SSL_free(ssl) }

    public var isHandshakeComplete: Bool { SSL_is_init_finished(ssl) == 1 }

    /// Advances the handshake (a client calls it first to produce its hello).
    public func handshake() throws(TLSError) {
        guard !isHandshakeComplete else { return }
        let rc = SSL_do_handshake(ssl)
        if rc == 1 { return }
        try check(rc, during: "handshake")
    }

    /// Takes `ciphertext` from the peer; returns the plaintext it completes (possibly none).
    public func receive(_ ciphertext: UnsafeRawBufferPointer) throws(TLSError) -> [UInt8] {
        var offset = 0
        while offset < ciphertext.count {
            let n = BIO_write(input, ciphertext.baseAddress! + offset, Int32(min(ciphertext.count - offset, 1 << 30)))
            guard n > 0 else { throw .openSSL("BIO_write") }
            offset += Int(n)
        }
        if !isHandshakeComplete {
            try handshake()
            if !isHandshakeComplete { return [] }
        }
        var out: [UInt8] = []
        while true {
            let n = plaintext.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
            if n > 0 {
                out.append(contentsOf: plaintext[0..<Int(n)])
                continue
            }
            try check(n, during: "read")
            return out
        }
    }

    /// Encrypts `bytes`; the records wait in `takeOutput()`.
    public func send(_ bytes: UnsafeRawBufferPointer) throws(TLSError) {
        var offset = 0
        while offset < bytes.count {
            let n = SSL_write(ssl, bytes.baseAddress! + offset, Int32(min(bytes.count - offset, 1 << 30)))
            guard n > 0 else {
                try check(n, during: "write")
                throw .protocolError("write made no progress before the handshake completed")
            }
            offset += Int(n)
        }
    }

    /// Bytes of ciphertext waiting to be sent.
    public var pendingOutput: Int { Int(BIO_ctrl_pending(output)) }

    /// The ciphertext produced so far, written into memory that `allocate` returns for the
    /// byte count it is given; returns the count (0: nothing, and `allocate` is not called).
    public func takeOutput(allocate: (Int) -> UnsafeMutableRawPointer) -> Int {
        let n = pendingOutput
        guard n > 0 else { return 0 }
        let out = allocate(n)
        let read = BIO_read(output, out, Int32(n))
        return Int(max(read, 0))
    }

    public func takeOutput() -> [UInt8] {
        var bytes: [UInt8] = []
        let n = pendingOutput
        guard n > 0 else { return bytes }
        bytes = [UInt8](repeating: 0, count: n)
        let read = bytes.withUnsafeMutableBytes { BIO_read(output, $0.baseAddress, Int32(n)) }
        return Array(bytes[0..<Int(max(read, 0))])
    }

    /// Queues a close_notify alert (the caller sends the output, then closes).
    public func close() {
        if isHandshakeComplete { SSL_shutdown(ssl) }
    }

    /// Whether the peer sent close_notify.
    public var peerClosed: Bool { SSL_get_shutdown(ssl) & Int32(SSL_RECEIVED_SHUTDOWN) != 0 }

    /// WANT_READ / WANT_WRITE / a clean close are not errors here; anything else is.
    private func check(_ rc: Int32, during operation: String) throws(TLSError) {
        let error = SSL_get_error(ssl, rc)
        switch error {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE, SSL_ERROR_ZERO_RETURN: return
        default:
            var reason = TLSError.lastOpenSSLError()
            if operation == "handshake" || !isHandshakeComplete {
                let verify = SSL_get_verify_result(ssl)
                if verify != X509_V_OK {
                    reason = "certificate verify failed: \(String(cString: X509_verify_cert_error_string(verify)))"
                }
                throw .handshake(reason)
            }
            throw .protocolError("\(operation): \(reason)")
        }
    }
}

import FluxionTLS
import FluxionWire
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A connected, blocking TCP socket (IPv4 or IPv6, resolved with getaddrinfo), optionally TLS.
///
/// With TLS, one thread may read while others write: the session is touched only under
/// `sessionLock`, and ciphertext leaves the session and goes on the wire under `sendLock` (taken
/// first), so records reach the socket in the order they were made.
final class Socket: @unchecked Sendable {
    let fd: Int32
    private let tls: TLSSession?
    private let sessionLock = NSLock()
    private let sendLock = NSLock()
    /// Plaintext already decrypted and not yet handed to the reader (reader only).
    private var pending: [UInt8] = []

    /// - Parameter tls: a client context: the connection does a TLS handshake and checks the
    ///   server's certificate against `host`.
    init(host: String, port: Int, tls: TLSContext? = nil) throws(RPCError) {
        let fd = try Self.connect(host: host, port: port)
        self.fd = fd
        guard let tls else {
            self.tls = nil
            return
        }
        do throws(TLSError) {
            self.tls = try TLSSession(context: tls, serverName: host)
        } catch {
            Glibc.close(fd)
            throw .unavailable("\(host):\(port): \(error)")
        }
        do throws(TLSError) { try handshake() } catch {
            Glibc.close(fd)
            throw .unavailable("\(host):\(port): \(error)")
        }
    }

    private func handshake() throws(TLSError) {
        guard let tls else { return }
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            try tls.handshake()
            let out = tls.takeOutput()
            if !out.isEmpty, !out.withUnsafeBytes({ rawWriteAll($0) }) {
                throw .handshake("the server closed the connection")
            }
            if tls.isHandshakeComplete { return }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                throw .handshake("the server closed the connection (is it serving TLS on this port?)")
            }
            let received = buffer.withUnsafeBytes { raw in
                Result { () throws(TLSError) in try tls.receive(UnsafeRawBufferPointer(rebasing: raw[0..<n])) }
            }
            pending += try received.get()
        }
    }

    /// Whether `read` has bytes to return without touching the socket.
    var hasBufferedData: Bool { !pending.isEmpty }

    private static func connect(host: String, port: Int) throws(RPCError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw .unavailable("cannot resolve \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(list) }
        var lastError: Int32 = 0
        var info: UnsafeMutablePointer<addrinfo>? = first
        while let ai = info {
            let fd = socket(ai.pointee.ai_family, ai.pointee.ai_socktype, ai.pointee.ai_protocol)
            if fd >= 0 {
                if Glibc.connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 {
                    var one: Int32 = 1
                    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                    return fd
                }
                lastError = errno
                Glibc.close(fd)
            } else {
                lastError = errno
            }
            info = ai.pointee.ai_next
        }
        throw .unavailable("cannot connect to \(host):\(port): \(String(cString: strerror(lastError)))")
    }

    /// Writes all of `bytes` (encrypted with TLS); false if the connection is gone.
    func writeAll(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let tls else { return rawWriteAll(bytes) }
        sendLock.lock()
        defer { sendLock.unlock() }
        sessionLock.lock()
        let records: [UInt8]
        do throws(TLSError) {
            try tls.send(bytes)
            records = tls.takeOutput()
        } catch {
            sessionLock.unlock()
            return false
        }
        sessionLock.unlock()
        return records.withUnsafeBytes { rawWriteAll($0) }
    }

    private func rawWriteAll(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }

    /// Reads what is available (blocking until something is); 0 at EOF, -1 on error.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let tls else { return rawRead(into: buffer) }
        while pending.isEmpty {
            let n = rawRead(into: buffer)
            if n <= 0 { return n }
            sessionLock.lock()
            let plain: [UInt8]
            do throws(TLSError) {
                plain = try tls.receive(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            } catch {
                sessionLock.unlock()
                return -1
            }
            let answer = tls.pendingOutput > 0
            let closed = tls.peerClosed
            sessionLock.unlock()
            if answer {
                // Post-handshake messages (TLS 1.3 key updates) want an answer, in order.
                sendLock.lock()
                sessionLock.lock()
                let out = tls.takeOutput()
                sessionLock.unlock()
                _ = out.withUnsafeBytes { rawWriteAll($0) }
                sendLock.unlock()
            }
            pending += plain
            if pending.isEmpty, closed { return 0 }
        }
        let n = min(buffer.count, pending.count)
        pending.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: n) }
        pending.removeFirst(n)
        return n
    }

    private func rawRead(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        while true {
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            if n < 0 && errno == EINTR { continue }
            return n
        }
    }

    func shutdownBoth() { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }

    deinit { Glibc.close(fd) }
}

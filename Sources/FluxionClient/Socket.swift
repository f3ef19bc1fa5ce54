import FluxionWire

#if canImport(Glibc)
    import Glibc
#endif

/// A connected, blocking TCP socket (IPv4 or IPv6, resolved with getaddrinfo).
final class Socket: @unchecked Sendable {
    let fd: Int32

    init(host: String, port: Int) throws(RPCError) {
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
                    self.fd = fd
                    return
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

    /// Writes all of `bytes`; false if the connection is gone.
    func writeAll(_ bytes: UnsafeRawBufferPointer) -> Bool {
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
        while true {
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            if n < 0 && errno == EINTR { continue }
            return n
        }
    }

    func shutdownBoth() { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }

    deinit { Glibc.close(fd) }
}

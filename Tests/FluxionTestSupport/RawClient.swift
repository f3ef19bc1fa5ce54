import FluxionWire
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A bare TCP client for sending arbitrary bytes and reading frames, for protocol-abuse tests.
/// Reads time out after `timeoutS` only as a guard so that a broken server fails the test
/// instead of hanging it; no test relies on that timing to pass.
public final class RawClient: @unchecked Sendable {
    public let fd: Int32
    private var decoder = FrameDecoder(maxFrameBytes: 64 * 1024 * 1024)
    private var prefaceRead = false

    public init(port: Int, timeoutS: Int = 20, receiveBufferBytes: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBufferBytes {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else { throw RawClientError("connect failed: errno \(errno)") }
        var tv = timeval(tv_sec: timeoutS, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    public func send(_ bytes: [UInt8]) {
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + off, bytes.count - off, Int32(MSG_NOSIGNAL))
            }
            if n <= 0 { return }
            off += n
        }
    }

    public func send(_ envelope: Wire.Envelope) { send(envelope.encodedFrame()) }

    /// Sends the preface and reads the server's preface and HELLO.
    public func handshake() throws -> Wire.ServerHello {
        send(Preface.bytes())
        guard let hello = try readFrame(), hello.kind == .hello else { throw RawClientError("no HELLO") }
        return try Wire.ServerHello(decoding: hello.payload)
    }

    public func halfClose() { shutdown(fd, Int32(SHUT_WR)) }

    /// The next frame, or nil at EOF.
    public func readFrame() throws -> Wire.Envelope? {
        while true {
            if !prefaceRead, let p = decoder.takeRaw(Preface.byteCount) {
                _ = try Preface.parse(p)
                prefaceRead = true
            }
            if prefaceRead, let e = try decoder.nextFrame({ try Wire.Envelope.decode($0) }) { return e }
            guard try fill() else { return nil }
        }
    }

    /// Frames until one matches `predicate` (the others are returned too, in order).
    public func readUntil(_ predicate: (Wire.Envelope) -> Bool) throws -> [Wire.Envelope] {
        var out: [Wire.Envelope] = []
        while let e = try readFrame() {
            out.append(e)
            if predicate(e) { return out }
        }
        throw RawClientError("connection closed before the expected frame; got \(out.map(\.kind))")
    }

    /// Everything until the server closes the connection.
    public func readToEOF() throws -> [UInt8] {
        while try fill() {}
        return decoder.takeRaw(decoder.bufferedByteCount) ?? []
    }

    private func fill() throws -> Bool {
        var buf = [UInt8](repeating: 0, count: 65536)
        let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 { throw RawClientError(errno == EAGAIN ? "read timed out" : "read failed: errno \(errno)") }
        if n == 0 { return false }
        decoder.append(Array(buf[0..<n]))
        return true
    }
}

public struct RawClientError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

import CEpoll
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The floor under tick-to-client latency on this machine: one thread writes a timestamped
/// 100-byte message to each of N loopback TCP connections in turn (as fluxiond's loop writes a
/// batch to each client), one epoll thread reads them all (as the benchmark's readers do). No
/// protocol, no encoding: what the kernel and the two threads cost, measured in the same run.
final class LoopbackFloor {
    private var serverSide: [Int32] = []
    private var clientSide: [Int32] = []

    init(connections: Int) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p in
                bind(listener, p, len)
                listen(listener, 4096)
                getsockname(listener, p, &len)
            }
        }
        for _ in 0..<connections {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, len) }
            }
            guard rc == 0 else { throw BenchError("floor: connect failed: errno \(errno)") }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            clientSide.append(fd)
            let accepted = accept(listener, nil, nil)
            guard accepted >= 0 else { throw BenchError("floor: accept failed: errno \(errno)") }
            setsockopt(accepted, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            serverSide.append(accepted)
        }
    }

    deinit { for fd in serverSide + clientSide { close(fd) } }

    /// Latencies (µs) of `rounds` fan-outs, one every `periodMs`.
    func run(rounds: Int, periodMs: Int) -> [Double] {
        let writers = serverSide
        let writer = Thread {
            var message = [UInt8](repeating: 0, count: 100)
            for _ in 0..<rounds {
                usleep(UInt32(periodMs * 1000))
                for fd in writers {
                    let now = wallNs()
                    message.withUnsafeMutableBytes { $0.storeBytes(of: now, as: Int64.self) }
                    _ = message.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                }
            }
        }
        writer.start()
        let epfd = epoll_create1(0)
        defer { close(epfd) }
        for (i, fd) in clientSide.enumerated() {
            var event = epoll_event()
            event.events = UInt32(EPOLLIN.rawValue)
            event.data.u64 = UInt64(i)
            epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event)
        }
        var latencies: [Double] = []
        latencies.reserveCapacity(rounds * clientSide.count)
        var ready = [epoll_event](repeating: epoll_event(), count: 256)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let expected = rounds * clientSide.count
        let deadline = Date().addingTimeInterval(Double(rounds * periodMs) / 1000 + 10)
        while latencies.count < expected, Date() < deadline {
            let n = epoll_wait(epfd, &ready, Int32(ready.count), 100)
            if n <= 0 { continue }
            for e in ready[0..<Int(n)] {
                let fd = clientSide[Int(e.data.u64)]
                let got = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                guard got > 0 else { continue }
                let now = wallNs()
                var offset = 0
                while offset + 100 <= got {
                    let sent = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: Int64.self) }
                    latencies.append(Double(now - sent) / 1000)
                    offset += 100
                }
            }
        }
        return latencies
    }
}

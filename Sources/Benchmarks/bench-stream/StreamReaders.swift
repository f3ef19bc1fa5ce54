import CEpoll
import FluxionWire
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Many StreamReadings calls, one connection each, read by one thread with epoll: measures
/// the server, not the client's threading. Every batch is decoded, and the tick sequence is
/// checked: each gap must equal the batch's `skipped_batches`.
final class StreamReaders {
    struct Totals {
        var batches = 0
        var readings = 0
        var skipped: UInt64 = 0
        var sequenceErrors = 0
        var latenciesUs: [Double] = []
    }

    private var fds: [Int32] = []
    private var decoders: [FrameDecoder] = []
    private var prefaceDone: [Bool] = []
    private var lastTick: [UInt64?] = []
    var totals = Totals()

    init(port: Int, count: Int, request: Wire.StreamReadingsRequest) throws {
        let requestFrame =
            Preface.bytes()
            + Wire.Envelope(
                callID: 1, kind: .request, method: Wire.Fluxion.streamReadings.path, payload: request.encoded()
            ).encodedFrame()
        for _ in 0..<count {
            let fd = try connectLoopback(port: port)
            _ = requestFrame.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            fds.append(fd)
            decoders.append(FrameDecoder(maxFrameBytes: 64 << 20))
            prefaceDone.append(false)
            lastTick.append(nil)
        }
    }

    deinit { for fd in fds { close(fd) } }

    /// Reads for `seconds`, recording latency (receive wall time − batch wall time) if asked.
    /// epoll, so that a thousand connections cost what the ready ones cost.
    func run(seconds: Double, recordLatency: Bool) throws {
        let epfd = epoll_create1(0)
        defer { close(epfd) }
        for (i, fd) in fds.enumerated() {
            var event = epoll_event()
            event.events = UInt32(EPOLLIN.rawValue)
            event.data.u64 = UInt64(i)
            epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event)
        }
        var ready = [epoll_event](repeating: epoll_event(), count: 256)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 8)
        defer { buffer.deallocate() }
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            let n = epoll_wait(epfd, &ready, Int32(ready.count), 100)
            if n <= 0 { continue }
            for e in ready[0..<Int(n)] {
                let i = Int(e.data.u64)
                let got = recv(fds[i], buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
                if got == 0 { throw BenchError("server closed stream \(i)") }
                if got < 0 { continue }
                let receivedNs = wallNs()
                decoders[i].append(UnsafeRawBufferPointer(rebasing: buffer[0..<got]))
                if !prefaceDone[i] {
                    guard decoders[i].takeRaw(Preface.byteCount) != nil else { continue }
                    prefaceDone[i] = true
                }
                while let envelope = try decoders[i].nextFrame({ try Wire.Envelope.decode($0) }) {
                    switch envelope.kind {
                    case .hello: continue
                    case .message:
                        let batch = try Wire.ReadingBatch(decoding: envelope.payload)
                        if let last = lastTick[i], batch.tick - last - 1 != batch.skippedBatches {
                            totals.sequenceErrors += 1
                        }
                        lastTick[i] = batch.tick
                        totals.batches += 1
                        totals.readings += batch.readings.count
                        totals.skipped += batch.skippedBatches
                        if recordLatency { totals.latenciesUs.append(Double(receivedNs - batch.wallTimeUnixNs) / 1000) }
                    default:
                        throw BenchError(
                            "stream \(i) ended: \(envelope.kind) \(envelope.status) \(envelope.statusMessage)")
                    }
                }
            }
        }
    }
}

/// A TCP connection to 127.0.0.1:`port`.
func connectLoopback(port: Int) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = UInt16(port).bigEndian
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let rc = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard rc == 0 else { throw BenchError("connect failed: errno \(errno)") }
    return fd
}

func wallNs() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

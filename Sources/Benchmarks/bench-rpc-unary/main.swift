// bench-rpc-unary: unary round-trip latency with one outstanding call, and throughput with 16
// outstanding calls on one connection, over loopback against a fluxiond child process (or the
// server named by --server HOST:PORT). Prints figures; exits non-zero if any call failed.
//
//   swift build -c release && .build/release/bench-rpc-unary [--calls N] [--seconds S]
import Dispatch
import FluxionClient
import FluxionWire
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

var calls = 50_000
var seconds = 5.0
var serverAddress: String?
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    switch a {
    case "--calls": calls = Int(args.next() ?? "") ?? calls
    case "--seconds": seconds = Double(args.next() ?? "") ?? seconds
    case "--server": serverAddress = args.next()
    default:
        FileHandle.standardError.write(
            Data("usage: bench-rpc-unary [--calls N] [--seconds S] [--server HOST:PORT]\n".utf8))
        exit(2)
    }
}

func nowNs() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

// Start fluxiond unless a server was named.
var child: Process?
var host = "127.0.0.1"
var port = 0
if let serverAddress, let colon = serverAddress.lastIndex(of: ":") {
    host = String(serverAddress[..<colon])
    port = Int(serverAddress[serverAddress.index(after: colon)...]) ?? 0
} else {
    let exe = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
        "fluxiond")
    let p = Process()
    p.executableURL = exe
    p.arguments = ["--port", "0", "--log-level", "warning"]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    var line = [UInt8]()
    var byte: UInt8 = 0
    while read(out.fileHandleForReading.fileDescriptor, &byte, 1) == 1, byte != 10 { line.append(byte) }
    let text = String(decoding: line, as: UTF8.self)
    guard let colon = text.lastIndex(of: ":"), let p2 = Int(text[text.index(after: colon)...]) else {
        print("bench-rpc-unary: fluxiond did not start: \(text)")
        exit(1)
    }
    port = p2
    child = p
}
/// Stops the child server; called on every way out (exit() skips `defer` at top level).
@MainActor func stopChild() {
    if let child, child.isRunning {
        kill(child.processIdentifier, SIGTERM)
        child.waitUntilExit()
    }
}

let conn: FluxionConnection
do { conn = try FluxionConnection(host: host, port: port) } catch {
    print("bench-rpc-unary: \(error)")
    stopChild()
    exit(1)
}
var failures = 0

// One outstanding call.
for _ in 0..<2_000 {
    let h: Wire.HealthResponse? = try? conn.unary(Wire.Fluxion.health, Wire.HealthRequest())
    if h?.status != .serving { failures += 1 }
}
var latencies = [UInt64]()
latencies.reserveCapacity(calls)
for _ in 0..<calls {
    let t0 = nowNs()
    let h: Wire.HealthResponse? = try? conn.unary(Wire.Fluxion.health, Wire.HealthRequest())
    latencies.append(nowNs() - t0)
    if h?.status != .serving { failures += 1 }
}
latencies.sort()
let sorted = latencies
func pct(_ p: Double) -> Double { Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1000 }

// Sixteen outstanding calls: 16 threads sharing the one connection.
let outstanding = 16
let done = ConcurrentTally()
let deadline = nowNs() + UInt64(seconds * 1e9)
let t0 = nowNs()
DispatchQueue.concurrentPerform(iterations: outstanding) { _ in
    var n = 0, bad = 0
    while nowNs() < deadline {
        do {
            let h: Wire.HealthResponse = try conn.unary(Wire.Fluxion.health, Wire.HealthRequest())
            if h.status == .serving { n += 1 } else { bad += 1 }
        } catch { bad += 1 }
    }
    done.add(n, bad)
}
let elapsed = Double(nowNs() - t0) / 1e9
conn.close()
failures += done.failed

// The floor: the same round trip with no protocol at all, 40 bytes each way over loopback TCP
// between two threads (blocking send/recv, TCP_NODELAY). Measured in the same run, so the RPC's
// figures read as a ratio to what this machine's loopback and scheduler allow right now.
let floor = loopbackPingPongNs(count: calls)
let floorP50 = Double(floor[floor.count / 2]) / 1000
let floorP99 = Double(floor[min(floor.count - 1, floor.count * 99 / 100)]) / 1000

print("bench-rpc-unary: Health over loopback, \(calls) calls with 1 outstanding")
print(
    String(
        format: "  latency p50 %.1f us  p90 %.1f us  p99 %.1f us  max %.1f us", pct(0.50), pct(0.90), pct(0.99),
        pct(1.0)))
print(
    String(
        format: "  raw loopback TCP ping-pong, same run: p50 %.1f us  p99 %.1f us  (RPC / raw: p50 %.2fx, p99 %.2fx)",
        floorP50, floorP99, pct(0.50) / floorP50, pct(0.99) / floorP99))
print(
    String(
        format: "  %d outstanding on one connection: %.0f calls/s (%d calls in %.2f s)",
        outstanding, Double(done.ok) / elapsed, done.ok, elapsed))
print("  failed calls: \(failures)")
stopChild()
exit(failures == 0 ? 0 : 1)

final class ConcurrentTally: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var ok = 0
    private(set) var failed = 0
    func add(_ n: Int, _ bad: Int) { lock.lock(); ok += n; failed += bad; lock.unlock() }
}

/// Round-trip times (ns) of 40-byte ping-pongs over loopback TCP between two threads.
func loopbackPingPongNs(count: Int) -> [UInt64] {
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    withUnsafeMutablePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            _ = bind(listener, $0, len)
            _ = listen(listener, 1)
            _ = getsockname(listener, $0, &len)
        }
    }
    let echo = Thread {
        let c = accept(listener, nil, nil)
        var one: Int32 = 1
        setsockopt(c, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var buf = [UInt8](repeating: 0, count: 64)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(c, $0.baseAddress, 64, 0) }
            if n <= 0 { break }
            _ = buf.withUnsafeBytes { send(c, $0.baseAddress, n, Int32(MSG_NOSIGNAL)) }
        }
        close(c)
    }
    echo.start()
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    _ = withUnsafePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    var one: Int32 = 1
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    var out = [UInt8](repeating: 7, count: 40), back = [UInt8](repeating: 0, count: 64)
    var times: [UInt64] = []
    times.reserveCapacity(count)
    for i in 0..<(count + 2_000) {
        let t0 = nowNs()
        _ = out.withUnsafeMutableBytes { send(fd, $0.baseAddress, 40, Int32(MSG_NOSIGNAL)) }
        var got = 0
        while got < 40 {
            let n = back.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 64, 0) }
            if n <= 0 { break }
            got += n
        }
        if i >= 2_000 { times.append(nowNs() - t0) }
    }
    close(fd)
    close(listener)
    return times.sorted()
}

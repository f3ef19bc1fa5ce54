// bench-stream: StreamReadings delivery from a fluxiond child process over loopback.
//  1. readings/s delivered to 1 and to 8 clients (free-running twin, 64 sensors sampled every
//     step, so 64-reading batches);
//  2. tick-to-client latency p50/p99 with 100 and 1,000 clients (default scenario at 20× speed),
//     all read by one epoll thread;
//  3. fluxiond's RSS with 100 clients streaming the default scenario in real time.
// Every batch is decoded and its sequence checked; exits non-zero on any error.
//
//   swift build -c release && .build/release/bench-stream [--seconds S]
import Dispatch
import FluxionWire
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

var seconds = 5.0
var parts: Set<String> = ["throughput", "latency", "rss", "scale"]
var scaleClients = 10_000
var args = CommandLine.arguments.dropFirst().makeIterator()
while let a = args.next() {
    if a == "--seconds", let v = args.next().flatMap(Double.init) {
        seconds = v
    } else if a == "--parts", let v = args.next() {
        parts = Set(v.split(separator: ",").map(String.init))
    } else if a == "--scale-clients", let v = args.next().flatMap(Int.init), v > 0 {
        scaleClients = v
    } else {
        print("usage: bench-stream [--seconds S] [--parts throughput,latency,rss,scale] [--scale-clients N]")
        exit(2)
    }
}
raiseOpenFileLimit()

/// A 2 km water line with 64 pressure sensors sampled at every 0.01 s step.
func benchScenario() throws -> String {
    var yaml = """
        name: bench-64
        description: 64 pressure sensors sampled every step (benchmark).
        fluid: {kind: liquid}
        solver: {max_reach_length_m: 10}
        nodes:
          - {id: R, kind: reservoir, head_m: 100, elevation_m: 0, x_m: 0, y_m: 0}
          - {id: D, kind: demand, flow: 0.2, elevation_m: 0, x_m: 2000, y_m: 0}
        pipes:
          - {id: P, from: R, to: D, length_m: 2000, diameter_m: 0.5, roughness_m: 0.0001, wave_speed_m_s: 1000}
        sensors:

        """
    for i in 0..<64 {
        yaml +=
            "  - {id: PT-\(i), quantity: pressure, pipe: P, position_m: \(20 + i * 30), sample_rate_hz: 100, noise_std: 100}\n"
    }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("bench-64-\(getpid()).yaml").path
    try yaml.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

final class Fluxiond {
    let process = Process()
    let port: Int
    init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("fluxiond")
        process.arguments = ["--port", "0", "--log-level", "warning", "--max-concurrent-calls", "4"] + arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        var line = [UInt8]()
        var byte: UInt8 = 0
        while read(out.fileHandleForReading.fileDescriptor, &byte, 1) == 1, byte != 10 { line.append(byte) }
        let text = String(decoding: line, as: UTF8.self)
        guard let colon = text.lastIndex(of: ":"), let p = Int(text[text.index(after: colon)...]) else {
            throw BenchError("fluxiond did not start: \(text)")
        }
        port = p
    }
    var rssMiB: Double {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let kb = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }?.split(separator: " ").dropFirst().first
        return (kb.flatMap { Double($0) } ?? 0) / 1024
    }
    /// User + system CPU time of fluxiond so far, s.
    var cpuSeconds: Double {
        let stat = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8)) ?? ""
        guard let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3; utime and stime are fields 14 and 15.
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }
    deinit { stop() }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

var failed = false
let scenarioFile = try benchScenario()
defer { try? FileManager.default.removeItem(atPath: scenarioFile) }

print("bench-stream: StreamReadings over loopback from a fluxiond child process")
for clients in [1, 8] where parts.contains("throughput") {
    let server = try Fluxiond(["--scenario", scenarioFile, "--free-running"])
    defer { server.stop() }
    // One decoding thread per core (2 here): the readers, not the server, would be the limit.
    let groups = min(clients, 2)
    let readers = try (0..<groups).map { g in
        try StreamReaders(
            port: server.port, count: clients / groups + (g < clients % groups ? 1 : 0),
            request: Wire.StreamReadingsRequest())
    }
    nonisolated(unsafe) let shared = readers
    DispatchQueue.concurrentPerform(iterations: groups) { g in try? shared[g].run(seconds: 0.5, recordLatency: false) }
    for r in readers { r.totals = .init() }
    let t0 = Date()
    let failures = ConcurrentFailures()
    let duration = seconds
    DispatchQueue.concurrentPerform(iterations: groups) { g in
        do { try shared[g].run(seconds: duration, recordLatency: false) } catch { failures.add("\(error)") }
    }
    let elapsed = Date().timeIntervalSince(t0)
    server.stop()
    let readings = readers.reduce(0) { $0 + $1.totals.readings }
    let batches = readers.reduce(0) { $0 + $1.totals.batches }
    let skipped = readers.reduce(0) { $0 + $1.totals.skipped }
    let sequenceErrors = readers.reduce(0) { $0 + $1.totals.sequenceErrors }
    print(
        String(
            format:
                "  %d client%@ (%d decoding thread%@): %.2f M readings/s delivered (%.0f batches/s, %d batches skipped by the slow-client policy)",
            clients, clients == 1 ? "" : "s", groups, groups == 1 ? "" : "s", Double(readings) / elapsed / 1e6,
            Double(batches) / elapsed, skipped))
    if sequenceErrors > 0 || readings == 0 || !failures.messages.isEmpty {
        failed = true
        print("    ERROR: \(sequenceErrors) sequence errors, \(readings) readings, \(failures.messages)")
    }
}

for clients in [100, 1000] where parts.contains("latency") {
    let server = try Fluxiond(["--speed", "20"])
    defer { server.stop() }
    let readers = try StreamReaders(port: server.port, count: clients, request: Wire.StreamReadingsRequest())
    try readers.run(seconds: 1, recordLatency: false)
    readers.totals = .init()
    try readers.run(seconds: seconds, recordLatency: true)
    server.stop()
    let sorted = readers.totals.latenciesUs.sorted()
    print(
        String(
            format: "  tick-to-client latency, %d clients: p50 %.2f ms, p99 %.2f ms (%d batches received)",
            clients, percentile(sorted, 0.5) / 1000, percentile(sorted, 0.99) / 1000, sorted.count))
    if readers.totals.sequenceErrors > 0 || sorted.isEmpty {
        failed = true; print("    ERROR: sequence errors or no data")
    }
}

if parts.contains("rss") {
    let server = try Fluxiond([])
    defer { server.stop() }
    let baseline = server.rssMiB
    let readers = try StreamReaders(port: server.port, count: 100, request: Wire.StreamReadingsRequest())
    try readers.run(seconds: 3, recordLatency: false)
    print(
        String(
            format: "  fluxiond RSS, default scenario, real time: %.1f MiB idle, %.1f MiB with 100 streaming clients",
            baseline, server.rssMiB))
    if readers.totals.batches == 0 { failed = true; print("    ERROR: no batches") }
    server.stop()
}
if parts.contains("scale"), try !scale(clients: scaleClients, seconds: seconds) { failed = true }
exit(failed ? 1 : 0)

/// Part 4: many clients on the default scenario in real time. fluxiond's memory per idle and per
/// streaming connection, its CPU, and tick-to-client latency with `clients` streams and with
/// 1,000, beside the loopback floor measured in the same run.
/// Returns false when a check failed.
func scale(clients: Int, seconds: Double) throws -> Bool {
    var ok = true
    let floor = try LoopbackFloor(connections: 1000).run(rounds: 40, periodMs: 50).sorted()
    print(
        String(
            format: "  loopback floor, one writer to 1,000 connections, one epoll reader: p50 %.2f ms, p99 %.2f ms",
            percentile(floor, 0.5) / 1000, percentile(floor, 0.99) / 1000))
    for n in [1000, clients] {
        let server = try Fluxiond([])
        defer { server.stop() }
        usleep(500_000)
        let base = server.rssMiB
        let idle = try IdleConnections(port: server.port, count: n)
        usleep(1_000_000)
        let idleRSS = server.rssMiB
        idle.close()
        usleep(500_000)
        let readers = try StreamReaders(port: server.port, count: n, request: Wire.StreamReadingsRequest())
        try readers.run(seconds: 2, recordLatency: false)
        readers.totals = .init()
        let cpu0 = server.cpuSeconds, t0 = Date()
        try readers.run(seconds: seconds, recordLatency: true)
        let cores = (server.cpuSeconds - cpu0) / Date().timeIntervalSince(t0)
        let streamingRSS = server.rssMiB
        let sorted = readers.totals.latenciesUs.sorted()
        let p99 = percentile(sorted, 0.99)
        print(
            String(
                format:
                    "  %d streaming clients, default scenario, real time: p50 %.2f ms, p99 %.2f ms (%.1f× the floor's p99), %d batches; fluxiond %.2f cores, RSS %.1f MiB (%.1f idle): %.1f KiB per idle connection, %.1f KiB per streaming one",
                n, percentile(sorted, 0.5) / 1000, p99 / 1000, p99 / percentile(floor, 0.99), sorted.count, cores,
                streamingRSS, base, (idleRSS - base) * 1024 / Double(n), (streamingRSS - base) * 1024 / Double(n)))
        if readers.totals.sequenceErrors > 0 || sorted.isEmpty {
            ok = false
            print("    ERROR: sequence errors or no data")
        }
        if n == 1000, p99 > 20_000 { print("    (p99 over the 20 ms target)") }
        server.stop()
    }
    return ok
}

/// Connections that send the preface and then nothing (what an idle client costs the server).
final class IdleConnections {
    private var fds: [Int32] = []
    init(port: Int, count: Int) throws {
        for _ in 0..<count {
            let fd = try connectLoopback(port: port)
            _ = Preface.bytes().withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            fds.append(fd)
        }
    }
    func close() {
        for fd in fds { Glibc.close(fd) }
        fds.removeAll()
    }
    deinit { close() }
}

/// Both processes need a descriptor per connection: the soft limit goes up to the hard one.
func raiseOpenFileLimit() {
    var limit = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    limit.rlim_cur = limit.rlim_max
    setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
}

final class ConcurrentFailures: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var messages: [String] = []
    func add(_ m: String) { lock.lock(); messages.append(m); lock.unlock() }
}

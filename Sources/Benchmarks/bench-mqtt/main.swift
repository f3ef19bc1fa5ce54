// bench-mqtt: field data ingest.
//   1. Sparkplug B metric values decoded and mapped onto sensors per second on one core (the
//      FieldAssembler: decode into the arena, alias → sensor, unit conversion, blocks).
//   2. Ingest-to-detector latency through a real broker (mosquitto started here on a free
//      port): an edge node publishes 10,000 metric values/s (100 NDATA/s of 100 metrics); the
//      latency of each block is from just before its publish to its hand-over to the loop
//      thread, where the detectors' hook receives it (TwinService.onDelivery).
// Prints the figures and still checks the results (every value mapped, none refused, every
// block delivered).
//
//     swift build -c release --product bench-mqtt && .build/release/bench-mqtt
import FluxionScenario
import FluxionServer
import FluxionSparkplug
import FluxionTwin
import Foundation
import Logging
import Synchronization

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func wallNs() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

func check(_ ok: Bool, _ message: @autoclosure () -> String) {
    if !ok {
        FileHandle.standardError.write(Data("bench-mqtt: CHECK FAILED: \(message())\n".utf8))
        exit(1)
    }
}

/// NBIRTH then NDATA payloads of `metrics` Double metrics by alias, one timestamp each.
func payloads(metrics: Int, messages: Int, startMs: UInt64, stepMs: UInt64) -> (birth: [UInt8], data: [[UInt8]]) {
    let birth = SparkplugEncoder.encode(
        SparkplugPayload(
            timestampMs: startMs, seq: 0,
            metrics: (0..<metrics).map {
                SparkplugMetric(name: "m\($0)", alias: UInt64($0 + 1), dataType: 10, value: .null)
            }))
    let data = (0..<messages).map { k in
        let ts = startMs + UInt64(k + 1) * stepMs
        return SparkplugEncoder.encode(
            SparkplugPayload(
                timestampMs: ts, seq: UInt64((k + 1) & 255),
                metrics: (0..<metrics).map {
                    SparkplugMetric(alias: UInt64($0 + 1), timestampMs: ts, value: .double(1e5 + Double($0 * 7 + k)))
                }))
    }
    return (birth, data)
}

// MARK: 1. Decode and map throughput

func throughput() {
    let sensors = 1000, messages = 2000
    let mapping = FieldMapping(
        group: "g", latenessS: 0, staleAfterS: 5,
        metrics: (0..<sensors).map {
            FieldMapping.Metric(sensorIndex: $0, sensorId: "S\($0)", metric: "m\($0)", scale: 1000, offset: 0)
        })
    let (birth, data) = payloads(metrics: sensors, messages: messages, startMs: 1_000_000, stepMs: 20)
    var best = 0.0
    for _ in 0..<5 {
        let assembler = FieldAssembler(mapping: mapping)
        var blocks = 0
        var readings = 0
        var checksum = 0.0
        birth.withUnsafeBytes { assembler.ingest(topic: "spBv1.0/g/NBIRTH/e", payload: $0, wallMs: 0) { _ in } }
        let t0 = now()
        for p in data {
            p.withUnsafeBytes {
                assembler.ingest(topic: "spBv1.0/g/NDATA/e", payload: $0, wallMs: 0) { b in
                    blocks += 1
                    readings += b.readings.count
                    checksum += b.readings[0].value
                }
            }
        }
        let dt = now() - t0
        let c = assembler.counters
        check(c.metricsMapped == UInt64(sensors * messages), "mapped \(c.metricsMapped) of \(sensors * messages)")
        check(c.refused.allSatisfy { $0 == 0 }, "refusals: \(c.named)")
        check(blocks == messages && readings == sensors * messages, "blocks \(blocks), readings \(readings)")
        check(checksum > 0, "values lost")
        best = max(best, Double(sensors * messages) / dt)
    }
    let bytes = data.reduce(0) { $0 + $1.count } / messages
    print(
        String(
            format:
                "decode+map: %.2f M metric values/s on one core (best of 5; NDATA of %d Double metrics by alias, %d bytes each; target >= 1 M/s)",
            best / 1e6, sensors, bytes))
}

// MARK: 2. Latency through a real broker

final class Broker {
    let port: Int
    let process = Process()
    let dir: URL

    init() throws {
        dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("bench-mqtt-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0
            }
        }
        port = Int(UInt16(bigEndian: addr.sin_port))
        close(fd)
        let conf = dir.appendingPathComponent("mosquitto.conf")
        try "listener \(port) 127.0.0.1\nallow_anonymous true\npersistence false\nset_tcp_nodelay true\n".write(
            to: conf, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/mosquitto")
        process.arguments = ["-c", conf.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(300_000)
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: dir)
    }
}

func latency() throws {
    let metrics = 100, rateHz = 100, seconds = 10
    var yaml = """
        name: bench-field
        fluid: {kind: liquid}
        nodes:
          - {id: R, kind: reservoir, head_m: 100, elevation_m: 0, x_m: 0, y_m: 0}
          - {id: D, kind: demand, flow: 0.2, elevation_m: 0, x_m: 4000, y_m: 0}
        pipes:
          - {id: P, from: R, to: D, length_m: 4000, diameter_m: 0.5, roughness_m: 0.0001, wave_speed_m_s: 1000}
        sensors:

        """
    for i in 0..<metrics { yaml += "  - {id: S\(i), quantity: pressure, pipe: P, position_m: \(i * 40)}\n" }
    yaml += "field:\n  group: g\n  lateness_s: 0\n  stale_after_s: 5\n  metrics:\n"
    for i in 0..<metrics { yaml += "    - {sensor: S\(i), metric: m\(i)}\n" }
    let scenario = try ScenarioLoader.load(yaml: yaml, file: "bench-field")
    let broker = try Broker()
    defer { broker.stop() }

    var logger = Logger(label: "bench-mqtt")
    logger.logLevel = .error
    let loop = try EventLoop()
    var config = ServerConfiguration()
    config.port = 0
    config.handleSignals = false
    let server = Server(configuration: config, loop: loop, logger: logger)
    let twin = TwinService(
        simulation: try Simulation(scenario: scenario, seed: 1), speed: 1, freeRunning: false, paused: true,
        server: server)
    let ingest = try FieldIngest(
        options: FieldIngest.Options(
            broker: MQTTClient.Options(host: "127.0.0.1", port: broker.port, clientID: "bench-ingest")),
        scenario: scenario, logger: logger)
    twin.useField(ingest)

    // Block time (ms) → wall ns just before its publish; latencies measured on the loop thread.
    let sent = Mutex<[UInt64: Int64]>([:])
    let latenciesNs = Mutex<[Int64]>([])
    let readings = Mutex(0)
    twin.onDelivery.append { view in
        let t = wallNs()
        let ticks = view.ticks
        let wall = view.wallTimesUnixNs
        for (i, tick) in ticks.enumerated() {
            let ms = UInt64(wall[i] / 1_000_000)
            readings.withLock { $0 += tick.readings.filter(\.valid).count }
            if let s = sent.withLock({ $0[ms] }) { latenciesNs.withLock { $0.append(t - s) } }
        }
    }
    try server.start()
    twin.start()

    let total = rateHz * seconds
    let startMs = UInt64(wallNs() / 1_000_000) + 1000
    let (birth, data) = payloads(metrics: metrics, messages: total, startMs: startMs, stepMs: UInt64(1000 / rateHz))
    let edge = try MQTTClient(MQTTClient.Options(host: "127.0.0.1", port: broker.port, clientID: "bench-edge"))
    edge.start()
    /// The server, touched only on the loop thread (the shutdown below is run there).
    final class ServerRef: @unchecked Sendable {
        let server: Server
        init(_ s: Server) { server = s }
    }
    let ref = ServerRef(server)
    let publisher = Thread {
        var waited = 0
        while !(edge.isConnected && ingest.counters.connects > 0), waited < 500 {
            usleep(10_000)
            waited += 1
        }
        usleep(200_000)
        edge.publish("spBv1.0/g/NBIRTH/e", birth)
        let t0 = now()
        for (k, p) in data.enumerated() {
            let due = Double(k) / Double(rateHz) - (now() - t0)
            if due > 0 { usleep(UInt32(due * 1e6)) }
            sent.withLock { $0[startMs + UInt64(k + 1) * UInt64(1000 / rateHz)] = wallNs() }
            edge.publish("spBv1.0/g/NDATA/e", p)
        }
        usleep(500_000)
        edge.stop()
        loop.execute { ref.server.shutdown(reason: "benchmark done") }
    }
    publisher.start()
    loop.run()

    let lat = latenciesNs.withLock { $0 }.sorted()
    let c = ingest.counters
    check(lat.count == total, "\(lat.count) of \(total) blocks reached the detectors' hook")
    check(readings.withLock { $0 } == total * metrics, "readings \(readings.withLock { $0 }) of \(total * metrics)")
    check(c.refused.allSatisfy { $0 == 0 }, "refusals: \(c.named)")
    func q(_ p: Double) -> Double { Double(lat[min(lat.count - 1, Int(Double(lat.count) * p))]) / 1e6 }
    print(
        String(
            format:
                "ingest-to-detector latency at %d metric values/s (%d NDATA/s of %d metrics, %d s, mosquitto on loopback): p50 %.2f ms, p99 %.2f ms, max %.2f ms",
            metrics * rateHz, rateHz, metrics, seconds, q(0.5), q(0.99), Double(lat.last!) / 1e6))
}

throughput()
try latency()

import ArgumentParser
import FluxionClient
import FluxionSparkplug
import FluxionWire
import Foundation
import Synchronization

/// `fluxion replay`: publishes a `fluxion simulate` CSV to an MQTT broker as a Sparkplug B edge node.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract:
            "Publish a `fluxion simulate` CSV to an MQTT broker as Sparkplug B (an edge node's NBIRTH, then NDATA).",
        discussion: """
            Acts as edge node spBv1.0/GROUP/NDATA/EDGE. On every connection, and when
            an NCMD `Node Control/Rebirth` asks, it publishes an NBIRTH declaring one
            Double metric per sensor (name = sensor id, alias = 1, 2, … in order of
            first appearance) and a bdSeq; then one NDATA per sample time, values by
            alias, stamped START + time_s (ms since the Unix epoch). Invalid readings
            go as is_null; leak_flow rows are not published. Its last will is the
            NDEATH. QoS 0: what is sent while the broker is away is lost, as from a
            field device without store-and-forward.
            With --live, the readings of a running fluxiond (--server) are published
            as they stream, stamped by their simulated time.
            Example: fluxion replay --csv run.csv --broker mqtt://127.0.0.1:1883
            """)

    @Option(help: "CSV written by `fluxion simulate` (time_s,sensor_id,quantity,value,unit,valid).")
    var csv: String?

    @Flag(
        help:
            "Publish a live twin instead of a CSV: the readings of the fluxiond at --server (StreamReadings), as they come."
    )
    var live = false

    @Option(help: "With --live: stop after this many simulated seconds (default: until the stream ends).")
    var duration: Double?

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Broker: mqtt://HOST[:PORT] or mqtts://HOST[:PORT].")
    var broker: String

    @Option(help: "Sparkplug group id.")
    var group = "fluxion"

    @Option(help: "Sparkplug edge node id.")
    var edge = "replay"

    @Option(help: "Simulated seconds per wall-clock second; 0: as fast as possible.")
    var speed: Double = 1

    @Option(help: "Unix time (ms) of the CSV's time 0 (default: now; with --live, of the first batch's time).")
    var startUnixMs: UInt64?

    @Option(help: "MQTT client id (default: fluxion-replay-EDGE-PID).")
    var mqttClientId: String?

    @Option(help: "MQTT user name.")
    var mqttUsername: String?

    @Option(help: "File holding the MQTT password (its first line).")
    var mqttPasswordFile: String?

    @Option(help: "CA certificates (PEM) to trust for mqtts:// (default: the system's).")
    var mqttCaFile: String?

    @Option(help: "Give up when the broker has not accepted a connection within this many seconds.")
    var connectTimeout: Double = 10

    func validate() throws {
        guard (csv != nil) != live else { throw ValidationError("give either --csv FILE or --live (with --server)") }
        if let duration, !(duration > 0 && duration.isFinite) {
            throw ValidationError("--duration must be a positive number of simulated seconds")
        }
        if duration != nil, !live { throw ValidationError("--duration goes with --live (a CSV ends by itself)") }
        guard speed >= 0, speed.isFinite, speed <= 1_000_000 else {
            throw ValidationError("--speed must be 0 (as fast as possible) or a positive factor up to 1000000")
        }
        do throws(MQTTError) { _ = try MQTTURL(broker) } catch { throw ValidationError("--broker: \(error)") }
        guard SparkplugTopic.isValidElement(group) else { throw ValidationError("--group: no '/', '+', '#'") }
        guard SparkplugTopic.isValidElement(edge) else { throw ValidationError("--edge: no '/', '+', '#'") }
        guard connectTimeout > 0 else { throw ValidationError("--connect-timeout must be positive") }
    }

    func run() throws {
        // What to publish: sensor ids (alias = index + 1), then sample times with their values.
        let sensors: [String]
        let next: () throws -> (t: Double, rows: [(sensor: Int, value: Double)])?
        var liveConnection: FluxionConnection?
        if let csv {
            let samples = try Self.read(csv)
            guard !samples.times.isEmpty else { throw CLIError("\(csv): no sensor readings") }
            sensors = samples.sensors
            var k = 0
            next = {
                guard k < samples.times.count else { return nil }
                defer { k += 1 }
                return (samples.times[k], samples.rows[k])
            }
        } else {
            let conn = try connection.connect()
            liveConnection = conn
            let topology: Wire.Topology
            let stream: ClientStream<Wire.ReadingBatch>
            do {
                topology = try conn.unary(Wire.Fluxion.getTopology, Wire.GetTopologyRequest())
                stream = try conn.serverStream(Wire.Fluxion.streamReadings, Wire.StreamReadingsRequest())
            } catch {
                throw CLIError(error)
            }
            sensors = topology.sensors.map(\.id)
            let index = Dictionary(sensors.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            var first: Double?
            let limit = duration
            next = {
                let batch: Wire.ReadingBatch?
                do { batch = try stream.next() } catch { throw CLIError("StreamReadings: \(error)") }
                guard let batch else { return nil }
                let t0 = first ?? batch.simTimeS
                first = t0
                if let limit, batch.simTimeS - t0 > limit {
                    stream.cancel()
                    return nil
                }
                return (
                    batch.simTimeS,
                    batch.readings.compactMap { r in index[r.sensorID].map { ($0, r.valid ? r.value : .nan) } }
                )
            }
        }
        defer { liveConnection?.close() }
        let url = try MQTTURL(broker)
        var options = try MQTTClient.Options(
            url: url, clientID: mqttClientId ?? "fluxion-replay-\(edge)-\(getpid())", username: mqttUsername,
            passwordFile: mqttPasswordFile, caFile: mqttCaFile)
        let nodeTopic = { (type: SparkplugTopic.MessageType) in
            SparkplugTopic(group: group, type: type, edgeNode: edge).string
        }
        let bdSeq: UInt64 = 0
        options.will = (
            nodeTopic(.ndeath),
            SparkplugEncoder.encode(
                SparkplugPayload(metrics: [SparkplugMetric(name: "bdSeq", dataType: 8, value: .long(bdSeq))])),
            false
        )
        let client = try MQTTClient(options)
        let seq = Mutex<UInt64>(0)
        let birthMetrics =
            [SparkplugMetric(name: "bdSeq", dataType: SparkplugDataType.uint64.rawValue, value: .long(bdSeq))]
            + sensors.enumerated().map { i, id in
                SparkplugMetric(
                    name: id, alias: UInt64(i + 1), dataType: SparkplugDataType.double.rawValue, value: .null)
            }
        let births = Atomic<Int>(0)
        let publishBirth = {
            // A BIRTH has seq 0; the DATA that follow count on from it.
            seq.withLock { s in
                let payload = SparkplugPayload(
                    timestampMs: UInt64(Date().timeIntervalSince1970 * 1000), seq: 0, metrics: birthMetrics)
                client.publish(nodeTopic(.nbirth), SparkplugEncoder.encode(payload))
                s = 1
            }
            births.add(1, ordering: .relaxed)
        }
        // Every new session starts with a BIRTH; a host application may ask for another
        // (NCMD `Node Control/Rebirth`).
        client.onConnect = {
            client.subscribe(nodeTopic(.ncmd), qos: 0)
            publishBirth()
        }
        let decoder = SparkplugDecoder()
        client.onMessage = { _, payload in
            var rebirth = false
            _ = try? decoder.decode(payload) { m in
                if m.name == "Node Control/Rebirth", m.value == .boolean(true) { rebirth = true }
            }
            if rebirth { publishBirth() }
        }
        client.onDisconnect = { reason in FileHandle.standardError.write(Data("replay: \(reason)\n".utf8)) }
        client.start()
        defer { client.stop() }
        let deadline = Date().addingTimeInterval(connectTimeout)
        while births.load(ordering: .relaxed) == 0 {
            guard Date() < deadline else {
                throw CLIError("broker \(broker): no connection within \(connectTimeout) s")
            }
            usleep(10_000)
        }
        let wallStart = Date()
        var t0: Double?
        var start = startUnixMs
        var times = 0
        var sent = 0
        var lost = 0
        while let (t, rows) = try next() {
            let first = t0 ?? t
            t0 = first
            // Device time: the CSV's time 0 (a live twin's first batch) at --start-unix-ms, default now.
            let nowMs = UInt64(Date().timeIntervalSince1970 * 1000)
            let origin = start ?? (nowMs >= Self.ms(t) ? nowMs - Self.ms(t) : 0)
            start = origin
            if speed > 0, csv != nil {
                let due = (t - first) / speed - Date().timeIntervalSince(wallStart)
                if due > 0 { usleep(UInt32(min(due, 1000) * 1e6)) }
            }
            let ts = origin &+ Self.ms(t)
            let metrics = rows.map { r in
                SparkplugMetric(
                    alias: UInt64(r.sensor + 1), timestampMs: ts, value: r.value.isFinite ? .double(r.value) : .null)
            }
            let ok = seq.withLock { s in
                let payload = SparkplugPayload(timestampMs: ts, seq: s, metrics: metrics)
                s = (s + 1) & 255
                return client.publish(nodeTopic(.ndata), SparkplugEncoder.encode(payload))
            }
            times += 1
            if ok { sent += 1 } else { lost += 1 }
        }
        print(
            "replay: \(times) sample times of \(sensors.count) sensors, \(sent) NDATA published, \(lost) lost while disconnected, \(births.load(ordering: .relaxed)) NBIRTH"
        )
    }

    /// `seconds` in ms, clamped to 0…10^15 (no trap on a wild value).
    static func ms(_ seconds: Double) -> UInt64 {
        UInt64((min(max(0, seconds * 1000), 1e15)).rounded())
    }

    /// The CSV grouped by sample time (leak_flow rows left out).
    struct Samples {
        var sensors: [String] = []
        var times: [Double] = []
        var rows: [[(sensor: Int, value: Double)]] = []
    }

    static func read(_ path: String) throws -> Samples {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CLIError("\(path): cannot read it")
        }
        var samples = Samples()
        var index: [String: Int] = [:]
        for (n, line) in text.split(separator: "\n").enumerated() {
            if n == 0 {
                guard line.hasPrefix("time_s,sensor_id,quantity,value") else {
                    throw CLIError(
                        "\(path):1: not a `fluxion simulate` CSV (header time_s,sensor_id,quantity,value,unit,valid)")
                }
                continue
            }
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            guard f.count >= 6, let t = Double(f[0]), t.isFinite, t >= 0 else {
                throw CLIError("\(path):\(n + 1): expected time_s,sensor_id,quantity,value,unit,valid")
            }
            if f[2] == "leak_flow" { continue }
            let id = String(f[1])
            let sensor: Int
            if let i = index[id] {
                sensor = i
            } else {
                sensor = samples.sensors.count
                index[id] = sensor
                samples.sensors.append(id)
            }
            let valid = f[5] == "true" || f[5] == "1"
            let value = valid ? Double(f[3]) ?? .nan : .nan
            if samples.times.last != t {
                guard (samples.times.last ?? -1) < t else {
                    throw CLIError("\(path):\(n + 1): time_s goes backwards")
                }
                samples.times.append(t)
                samples.rows.append([])
            }
            samples.rows[samples.rows.count - 1].append((sensor, value))
        }
        return samples
    }
}

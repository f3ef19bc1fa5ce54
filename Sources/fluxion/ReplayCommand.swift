import ArgumentParser
import FluxionSparkplug
import Foundation
import Synchronization

/// `fluxion replay`: publishes a `fluxion simulate` CSV to an MQTT broker as a Sparkplug B edge node.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract:
            "Publish a `fluxion simulate` CSV to an MQTT broker as Sparkplug B (an edge node's NBIRTH, then NDATA).",
        discussion: """
            Acts as edge node spBv1.0/GROUP/NDATA/EDGE: on every connection (and when an NCMD
            `Node Control/Rebirth` asks for it) it publishes an NBIRTH
            declaring one Double metric per sensor of the CSV (name = sensor id, alias = 1, 2, …,
            in order of first appearance) and a bdSeq, then one NDATA per sample time with the
            values of that time by alias, each stamped START + time_s (ms since the Unix epoch).
            Invalid readings go as is_null. Its last will is the NDEATH. Rows of leak_flow (the
            true leak outflow) are not published. Messages are QoS 0: those sent while the broker
            is away are lost, as from a field device without store-and-forward.
            Example: fluxion replay --csv run.csv --broker mqtt://127.0.0.1:1883 --speed 10
            """)

    @Option(help: "CSV written by `fluxion simulate` (time_s,sensor_id,quantity,value,unit,valid).")
    var csv: String

    @Option(help: "Broker: mqtt://HOST[:PORT] or mqtts://HOST[:PORT].")
    var broker: String

    @Option(help: "Sparkplug group id.")
    var group = "fluxion"

    @Option(help: "Sparkplug edge node id.")
    var edge = "replay"

    @Option(help: "Simulated seconds per wall-clock second; 0: as fast as possible.")
    var speed: Double = 1

    @Option(help: "Unix time (ms) of the CSV's time 0 (default: now).")
    var startUnixMs: UInt64?

    @Option(help: "MQTT client id (default: fluxion-replay-EDGE-PID).")
    var clientId: String?

    @Option(help: "MQTT user name.")
    var username: String?

    @Option(help: "File holding the MQTT password (its first line).")
    var passwordFile: String?

    @Option(help: "CA certificates (PEM) to trust for mqtts:// (default: the system's).")
    var caFile: String?

    @Option(help: "Give up when the broker has not accepted a connection within this many seconds.")
    var connectTimeout: Double = 10

    func validate() throws {
        guard speed >= 0, speed.isFinite, speed <= 1_000_000 else {
            throw ValidationError("--speed must be 0 (as fast as possible) or a positive factor up to 1000000")
        }
        do throws(MQTTError) { _ = try MQTTURL(broker) } catch { throw ValidationError("--broker: \(error)") }
        guard SparkplugTopic.isValidElement(group) else { throw ValidationError("--group: no '/', '+', '#'") }
        guard SparkplugTopic.isValidElement(edge) else { throw ValidationError("--edge: no '/', '+', '#'") }
        guard connectTimeout > 0 else { throw ValidationError("--connect-timeout must be positive") }
    }

    func run() throws {
        let samples = try Self.read(csv)
        guard !samples.times.isEmpty else { throw CLIError("\(csv): no sensor readings") }
        let url = try MQTTURL(broker)
        var options = MQTTClient.Options(
            host: url.host, port: url.port, clientID: clientId ?? "fluxion-replay-\(edge)-\(getpid())")
        options.tls = url.tls
        options.caFile = caFile
        options.username = username
        if let passwordFile {
            guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                throw CLIError("--password-file \(passwordFile): cannot read it")
            }
            options.password = String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
        }
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
        let start = startUnixMs ?? UInt64(Date().timeIntervalSince1970 * 1000)
        let birthMetrics =
            [SparkplugMetric(name: "bdSeq", dataType: SparkplugDataType.uint64.rawValue, value: .long(bdSeq))]
            + samples.sensors.enumerated().map { i, id in
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
        let t0 = samples.times.first!
        var sent = 0
        var lost = 0
        for (k, t) in samples.times.enumerated() {
            if speed > 0 {
                let due = (t - t0) / speed - Date().timeIntervalSince(wallStart)
                if due > 0 { usleep(UInt32(min(due, 1000) * 1e6)) }
            }
            let ts = start + UInt64(max(0, (t * 1000).rounded()))
            let metrics = samples.rows[k].map { r in
                SparkplugMetric(
                    alias: UInt64(r.sensor + 1), timestampMs: ts, value: r.value.isFinite ? .double(r.value) : .null)
            }
            let ok = seq.withLock { s in
                let payload = SparkplugPayload(timestampMs: ts, seq: s, metrics: metrics)
                s = (s + 1) & 255
                return client.publish(nodeTopic(.ndata), SparkplugEncoder.encode(payload))
            }
            if ok { sent += 1 } else { lost += 1 }
        }
        print(
            "replay: \(samples.times.count) sample times of \(samples.sensors.count) sensors, \(sent) NDATA published, \(lost) lost while disconnected, \(births.load(ordering: .relaxed)) NBIRTH"
        )
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

import FluxionClient
import FluxionSparkplug
import FluxionTestSupport
import FluxionWire
import Foundation
import Testing

/// Field data through a real broker (mosquitto started by the test): a twin's readings replayed
/// as Sparkplug B → fluxiond `--source mqtt://…` → threshold detector → alert, stored and
/// published back to the broker.
@Suite(.serialized) struct FieldDataTests {
    /// DetectionEndToEndTests' 4 km water line, with its sensors mapped to the replay's metrics.
    static let scenario =
        DetectionEndToEndTests.scenario + """

            field:
              group: plant
              lateness_s: 0
              stale_after_s: 1
              metrics:
                - {sensor: FT-in}
                - {sensor: FT-out}
                - {sensor: PT-0500}
                - {sensor: PT-1500}
                - {sensor: PT-2500}
                - {sensor: PT-3500}
            """

    /// A scenario file and the CSV of a 300 s run with a 3 % leak at 2200 m from t = 200 s.
    static func prepare(_ dir: URL) throws -> (scenario: String, csv: String) {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("line.yaml").path
        try scenario.write(toFile: file, atomically: true, encoding: .utf8)
        let csv = dir.appendingPathComponent("run.csv").path
        let sim = try runProduct(
            "fluxion",
            [
                "simulate", "--scenario", file, "--duration", "300", "--leak", "P@2200:3%@200", "--csv", csv,
                "--no-progress",
            ])
        #expect(sim.status == 0, "\(sim.err)")
        return (file, csv)
    }

    /// Messages of `topic` on the broker, collected by a client of the test.
    final class Subscriber: @unchecked Sendable {
        let client: MQTTClient
        private let lock = NSLock()
        private var received: [[UInt8]] = []

        var messages: [String] { lock.withLock { received.map { String(decoding: $0, as: UTF8.self) } } }
        var raw: [[UInt8]] { lock.withLock { received } }

        init(broker: TestMosquitto, topic: String) throws {
            client = try MQTTClient(
                MQTTClient.Options(
                    host: "127.0.0.1", port: broker.port, clientID: "test-sub-\(UUID().uuidString.prefix(8))"))
            client.onConnect = { [client] in client.subscribe(topic, qos: 1) }
            client.onMessage = { [unowned self] _, payload in
                let bytes = Array(payload)
                lock.withLock { received.append(bytes) }
            }
            client.start()
            let deadline = Date().addingTimeInterval(10)
            while !client.isConnected, Date() < deadline { usleep(10_000) }
        }

        deinit { client.stop() }
    }

    /// Batches seen on a stream, from its reader thread.
    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [(t: Double, valid: Int, invalid: Int)] = []
        func append(_ item: (t: Double, valid: Int, invalid: Int)) { lock.withLock { items.append(item) } }
        var all: [(t: Double, valid: Int, invalid: Int)] { lock.withLock { items } }
    }

    /// Waits until fluxiond has connected to the broker (and so subscribed: the subscription
    /// goes out before anything else on the connection).
    static func waitForBroker(_ conn: FluxionConnection) throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let info: Wire.ServerInfo = try conn.unary(Wire.Fluxion.getServerInfo, Wire.GetServerInfoRequest())
            if info.fieldCounters.contains(where: { $0.name == "connects" && $0.value >= 1 }) {
                usleep(100_000)
                return
            }
            usleep(20_000)
        }
        Issue.record("fluxiond did not connect to the broker within 10 s")
    }

    static func waitForAlert(_ conn: FluxionConnection, seconds: Double) throws -> Wire.Alert? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let page: Wire.QueryAlertsResponse = try conn.unary(Wire.Fluxion.queryAlerts, Wire.QueryAlertsRequest())
            if let a = page.alerts.first { return a }
            usleep(200_000)
        }
        return nil
    }

    @Test func replayedLeakRaisesAnAlertPublishedBackToTheBroker() throws {
        let broker = try TestMosquitto()
        defer { broker.stop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("field-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (file, csv) = try Self.prepare(dir)
        let alertsOut = try Subscriber(broker: broker, topic: "fluxion/e2e-line/alerts")
        let readingsOut = try Subscriber(broker: broker, topic: "fluxion/e2e-line/readings")

        let server = try ServerProcess([
            "--scenario", file, "--source", broker.url, "--detector", "threshold", "--mqtt-publish-alerts",
            "--mqtt-publish-readings",
        ])
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        try Self.waitForBroker(conn)

        // The physics does not run: calls that act on it are refused, with the reason.
        do {
            let _: Wire.InjectLeakResponse = try conn.unary(
                Wire.Fluxion.injectLeak,
                Wire.InjectLeakRequest(
                    where: .pipe(Wire.PipePosition(pipeID: "P", positionM: 100)), size: .sizeFraction(0.03)))
            Issue.record("InjectLeak succeeded in field mode")
        } catch {
            #expect(error.code == .failedPrecondition)
            #expect(error.message.contains("field"))
        }

        let replay = try runProduct(
            "fluxion", ["replay", "--csv", csv, "--broker", broker.url, "--group", "plant", "--speed", "100"])
        #expect(replay.status == 0, "\(replay.err)")
        #expect(replay.out.contains("15000 NDATA published, 0 lost"), "\(replay.out)")

        let a = try #require(try Self.waitForAlert(conn, seconds: 30), "no alert from the replayed leak")
        #expect(a.detector == "threshold")
        #expect(a.pipeID == "P")
        // The tolerance of DetectionEndToEndTests (simulation mode): 200 m = 5 % of the pipe, for
        // the 50 Hz sampling and arrival picking in noise. Field time maps the CSV's t = 200 s
        // (the leak) to 1 s past the warm start's end plus 200 s.
        #expect(abs(a.positionM - 2200) <= 200, "located at \(a.positionM) m, leak at 2200 m")
        // The clock is the readings': the warm start's 120 s, + 1 s, + the CSV's 0.02…300 s.
        let clock: Wire.Clock = try conn.unary(Wire.Fluxion.getClock, Wire.GetClockRequest())
        #expect(abs(clock.simTimeS - 421) < 0.05, "\(clock.simTimeS)")
        #expect(a.raisedSimTimeS > 321, "raised at \(a.raisedSimTimeS) s, the leak starts at 321 s")

        // Published back: the alert as JSON on fluxion/NETWORK/alerts.
        let deadline = Date().addingTimeInterval(10)
        while alertsOut.messages.isEmpty, Date() < deadline { usleep(50_000) }
        let published = alertsOut.messages
        let raised = try #require(published.first { $0.contains("\"event\":\"raised\"") }, "\(published)")
        #expect(raised.contains("\"alert_id\":\"\(a.alertID)\""))
        #expect(raised.contains("\"pipe_id\":\"P\""))
        // And the readings, mapped and in the sensors' units, one message per sample block.
        let readings = readingsOut.messages
        #expect(readings.count >= 14_000, "\(readings.count) reading messages")
        #expect(
            readings.contains {
                $0.contains("{\"sensor_id\":\"PT-0500\",\"value\":9") && $0.contains("\"unit\":\"Pa\"")
            },
            "\(readings.prefix(2))")
        #expect(server.stop(signal: SIGTERM) == 0)
    }

    /// The broker killed (SIGKILL) in the middle of a replay and started again 2.5 s later:
    /// fluxiond reconnects and re-subscribes, the silence reads as invalid samples (no values
    /// made up), the replay's new NBIRTH restores the aliases, and the leak after the outage is
    /// still found where it is.
    @Test func brokerRestartMidStreamIsAGapOfInvalidSamplesThenDetectionResumes() throws {
        let broker = try TestMosquitto()
        defer { broker.stop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("field-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (file, csv) = try Self.prepare(dir)
        let server = try ServerProcess(["--scenario", file, "--source", broker.url, "--detector", "threshold"])
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        try Self.waitForBroker(conn)

        // Every batch fluxiond streams: (sim time, valid readings, invalid readings).
        let seen = Collected()
        let stream = try conn.serverStream(
            Wire.Fluxion.streamReadings, Wire.StreamReadingsRequest(), as: Wire.ReadingBatch.self)
        let reader = Thread {
            while let batch = try? stream.next() {
                let valid = batch.readings.filter(\.valid).count
                seen.append((batch.simTimeS, valid, batch.readings.count - valid))
            }
        }
        reader.start()
        defer { stream.cancel() }

        // 300 s of readings at 25×: 12 s of wall time; the broker is away from 2.5 s to 5 s
        // (simulated ~62 s to ~125 s), well before the leak at 200 s.
        let replay = Process()
        replay.executableURL = URL(fileURLWithPath: Products.path("fluxion"))
        replay.arguments = ["replay", "--csv", csv, "--broker", broker.url, "--group", "plant", "--speed", "25"]
        let out = Pipe()
        replay.standardOutput = out
        replay.standardError = FileHandle.nullDevice
        try replay.run()
        defer {
            if replay.isRunning {
                kill(replay.processIdentifier, SIGKILL)
                replay.waitUntilExit()
            }
        }
        usleep(2_500_000)
        broker.kill9()
        usleep(2_500_000)
        try broker.start()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        replay.waitUntilExit()
        #expect(replay.terminationStatus == 0)
        #expect(text.contains("2 NBIRTH"), "\(text)")

        let a = try #require(try Self.waitForAlert(conn, seconds: 30), "no alert after the broker restart")
        #expect(a.pipeID == "P")
        #expect(abs(a.positionM - 2200) <= 200, "located at \(a.positionM) m, leak at 2200 m")

        // The gap: batches of only invalid readings between valid data before and after.
        let batches = seen.all
        let gaps = batches.enumerated().filter { $0.element.valid == 0 && $0.element.invalid > 0 }
        let firstGap = try #require(gaps.first, "no batch of invalid readings in \(batches.count) batches")
        #expect(batches[..<firstGap.offset].contains { $0.valid > 0 })
        #expect(batches[firstGap.offset...].contains { $0.valid == 6 })
        // No reading was made up: every batch is either all valid data or invalid samples.
        #expect(batches.allSatisfy { $0.valid > 0 || $0.invalid > 0 })

        let info: Wire.ServerInfo = try conn.unary(Wire.Fluxion.getServerInfo, Wire.GetServerInfoRequest())
        let counters = Dictionary(info.fieldCounters.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect((counters["connects"] ?? 0) >= 2, "\(counters)")
        #expect((counters["gap_blocks"] ?? 0) >= 1, "\(counters)")
        #expect(counters["malformed"] == 0 && counters["unknown_alias"] == 0, "\(counters)")
    }

    /// Bad input on the live path: each cause counted in GetServerInfo, the server still serves.
    @Test func badInputIsCountedInServerInfoAndNeverCrashes() throws {
        let broker = try TestMosquitto()
        defer { broker.stop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("field-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("line.yaml").path
        try Self.scenario.write(toFile: file, atomically: true, encoding: .utf8)
        let server = try ServerProcess(["--scenario", file, "--source", broker.url])
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        try Self.waitForBroker(conn)

        // Commands to the edge node (the rebirth request an unknown alias causes).
        let commands = try Subscriber(broker: broker, topic: "spBv1.0/plant/NCMD/rtu")
        let edge = try MQTTClient(MQTTClient.Options(host: "127.0.0.1", port: broker.port, clientID: "test-edge"))
        edge.start()
        defer { edge.stop() }
        let deadline = Date().addingTimeInterval(10)
        while !edge.isConnected, Date() < deadline { usleep(10_000) }
        func send(_ type: String, _ payload: SparkplugPayload) {
            edge.publish("spBv1.0/plant/\(type)/rtu", SparkplugEncoder.encode(payload), qos: 1)
        }
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        send(
            "NDATA", SparkplugPayload(timestampMs: now, seq: 3, metrics: [SparkplugMetric(alias: 1, value: .double(1))])
        )
        edge.publish("spBv1.0/plant/NDATA/rtu", [0xff, 0xff, 0xff], qos: 1)
        send(
            "NBIRTH",
            SparkplugPayload(
                timestampMs: now, seq: 0,
                metrics: [
                    SparkplugMetric(name: "PT-0500", alias: 1, dataType: 10, value: .null),
                    SparkplugMetric(name: "PT-1500", alias: 2, dataType: 12, value: .null),
                ]))
        send(
            "NDATA",
            SparkplugPayload(
                timestampMs: now + 20, seq: 1,
                metrics: [
                    SparkplugMetric(alias: 1, value: .string("not a number")),
                    SparkplugMetric(name: "valve-7", value: .double(1)),
                    SparkplugMetric(alias: 2, value: .string("x")),
                ]))
        send(
            "NDATA",
            SparkplugPayload(timestampMs: now + 40, seq: 7, metrics: [SparkplugMetric(alias: 1, value: .double(9e5))]))

        var counters: [String: UInt64] = [:]
        let until = Date().addingTimeInterval(10)
        repeat {
            usleep(100_000)
            let info: Wire.ServerInfo = try conn.unary(Wire.Fluxion.getServerInfo, Wire.GetServerInfoRequest())
            counters = Dictionary(info.fieldCounters.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        } while (counters["messages"] ?? 0) < 6 && Date() < until
        // 5 from the edge node and the rebirth request fluxiond sent, back through its own subscription.
        #expect(counters["messages"] == 6, "\(counters)")
        #expect(counters["unknown_alias"] == 1, "\(counters)")
        #expect(counters["malformed"] == 1, "\(counters)")
        #expect(counters["birth_conflict"] == 1, "\(counters)")
        #expect(counters["wrong_type"] == 1, "\(counters)")
        #expect(counters["unmapped_metric"] == 1, "\(counters)")
        #expect(counters["seq_gap"] == 1, "\(counters)")
        #expect(counters["metrics_mapped"] == 1, "\(counters)")
        // The DATA before any BIRTH made fluxiond ask the edge node for one.
        let asked = Date().addingTimeInterval(5)
        while commands.raw.isEmpty, Date() < asked { usleep(20_000) }
        let ncmd = try #require(commands.raw.first, "no NCMD rebirth request")
        let request = try SparkplugDecoder().decode(ncmd)
        #expect(request.metrics.contains { $0.name == "Node Control/Rebirth" && $0.value == .boolean(true) })
        let info = try runProduct("fluxion", ["info", "--server", "127.0.0.1:\(server.port)"])
        #expect(info.out.contains("field data: messages 6, metrics_mapped 1,"), "\(info.out)")
        let health: Wire.HealthResponse = try conn.unary(Wire.Fluxion.health, Wire.HealthRequest())
        #expect(health.status == .serving)
    }

    /// A broker that speaks TLS only and wants a user name and password: fluxiond and the
    /// replay reach it with `mqtts://`, the CA file and the password file; a wrong password is
    /// refused with the broker's reason, logged, and no reading is taken.
    @Test func mqttsWithCredentials() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("field-tls-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (file, csv) = try Self.prepare(dir)
        let cert = dir.appendingPathComponent("broker.crt").path
        let key = dir.appendingPathComponent("broker.key").path
        let passwords = dir.appendingPathComponent("passwd").path
        func tool(_ path: String, _ arguments: [String]) throws {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: path)
            p.arguments = arguments
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "\(path) \(arguments)")
        }
        try tool(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
                "-subj", "/CN=fluxion-test-broker", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out",
                cert,
            ])
        try tool("/usr/bin/mosquitto_passwd", ["-b", "-c", passwords, "scada", "s3cret"])
        // The broker drops root for its own user before reading them (test files only).
        for path in [key, passwords] {
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        }
        let good = dir.appendingPathComponent("good").path
        let bad = dir.appendingPathComponent("bad").path
        try "s3cret\n".write(toFile: good, atomically: true, encoding: .utf8)
        try "wrong\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let broker = try TestMosquitto(tls: (cert, key), passwordFile: passwords)
        defer { broker.stop() }
        let url = "mqtts://127.0.0.1:\(broker.port)"

        let refused = try ServerProcess([
            "--scenario", file, "--source", url, "--mqtt-ca-file", cert, "--mqtt-username", "scada",
            "--mqtt-password-file", bad,
        ])
        usleep(1_500_000)
        #expect(refused.stop(signal: SIGTERM) == 0)
        #expect(refused.stderrText.contains("refused the connection"), "\(refused.stderrText)")

        let server = try ServerProcess([
            "--scenario", file, "--source", url, "--mqtt-ca-file", cert, "--mqtt-username", "scada",
            "--mqtt-password-file", good,
        ])
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        try Self.waitForBroker(conn)
        let replay = try runProduct(
            "fluxion",
            [
                "replay", "--csv", csv, "--broker", url, "--mqtt-ca-file", cert, "--mqtt-username", "scada",
                "--mqtt-password-file",
                good, "--group", "plant", "--speed", "0",
            ])
        #expect(replay.status == 0, "\(replay.err)")
        var mapped: UInt64 = 0
        let deadline = Date().addingTimeInterval(20)
        while mapped < 66_000, Date() < deadline {
            usleep(100_000)
            let info: Wire.ServerInfo = try conn.unary(Wire.Fluxion.getServerInfo, Wire.GetServerInfoRequest())
            mapped = info.fieldCounters.first { $0.name == "metrics_mapped" }?.value ?? 0
        }
        // 15,000 sample times: 4 pressure sensors at 50 Hz and 2 meters at 10 Hz for 300 s.
        #expect(mapped == 66_000)
    }

    /// A live twin (a second fluxiond, leak injected over the wire) published by
    /// `fluxion replay --live` and ingested from the broker: found where it is.
    @Test func liveTwinReplayedThroughTheBroker() throws {
        let broker = try TestMosquitto()
        defer { broker.stop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("field-live-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("line.yaml").path
        try Self.scenario.write(toFile: file, atomically: true, encoding: .utf8)
        let twin = try ServerProcess(["--scenario", file, "--speed", "40"])
        defer { twin.stop() }
        let server = try ServerProcess(["--scenario", file, "--source", broker.url, "--detector", "threshold"])
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        try Self.waitForBroker(conn)
        let twinConn = try FluxionConnection(host: "127.0.0.1", port: twin.port, callTimeout: 30)
        defer { twinConn.close() }
        let _: Wire.InjectLeakResponse = try twinConn.unary(
            Wire.Fluxion.injectLeak,
            Wire.InjectLeakRequest(
                where: .pipe(Wire.PipePosition(pipeID: "P", positionM: 2200)), size: .sizeFraction(0.03),
                startSimTimeS: 200))
        // 300 simulated seconds at 40×: 7.5 s of wall time.
        let replay = try runProduct(
            "fluxion",
            [
                "replay", "--live", "--server", "127.0.0.1:\(twin.port)", "--broker", broker.url, "--group", "plant",
                "--duration", "300",
            ])
        #expect(replay.status == 0, "\(replay.err)")
        #expect(replay.out.contains("0 lost"), "\(replay.out)")
        let a = try #require(try Self.waitForAlert(conn, seconds: 30), "no alert from the live twin's leak")
        #expect(a.pipeID == "P")
        #expect(abs(a.positionM - 2200) <= 200, "located at \(a.positionM) m, leak at 2200 m")
    }
}

import FluxionClient
import FluxionTestSupport
import FluxionWire
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Many fluxiond, one PostgreSQL alert store (docs/SCALE.md). The scale test prints its figures;
/// FLUXION_SCALE_SECONDS (default 40) and FLUXION_SCALE_SERVERS (default 8) make it longer or wider.
@Suite struct ScaleOutTests {
    /// A 4…7.5 km water line (network i is 500·i m longer), the threshold detector's two meters
    /// and four pressure sensors, and an autopilot that keeps a leak open most of the time.
    static func scenario(_ i: Int) -> String {
        let length = 4000 + 500 * i
        return """
            name: scale-line-\(i)
            description: Reservoir, one pipe, demand; the autopilot injects leaks one after another.
            fluid: {kind: liquid}
            solver: {max_reach_length_m: 50}
            nodes:
              - {id: R, kind: reservoir, head_m: 100, elevation_m: 0, x_m: 0, y_m: 0}
              - {id: D, kind: demand, flow: 0.2, elevation_m: 0, x_m: \(length), y_m: 0}
            pipes:
              - {id: P, from: R, to: D, length_m: \(length), diameter_m: 0.5, roughness_m: 0.0001, wave_speed_m_s: 1000}
            lines:
              - {id: main, pipes: [P]}
            sensors:
              - {id: FT-in, quantity: flow, pipe: P, position_m: 0, sample_rate_hz: 10, noise_std: 0.0005}
              - {id: FT-out, quantity: flow, node: D, sample_rate_hz: 10, noise_std: 0.0005}
              - {id: PT-1, quantity: pressure, pipe: P, position_m: 500, sample_rate_hz: 20, noise_std: 200}
              - {id: PT-2, quantity: pressure, pipe: P, position_m: \(length / 2), sample_rate_hz: 20, noise_std: 200}
              - {id: PT-3, quantity: pressure, pipe: P, position_m: \(length - 500), sample_rate_hz: 20, noise_std: 200}
            autopilot:
              enabled: true
              leaks_per_day: 2000
              size_fraction_min: 0.04
              size_fraction_max: 0.08
              duration_min_s: 120
              duration_max_s: 240
              ramp_max_s: 5
              check_interval_s: 20
              max_concurrent: 1
            """
    }

    /// What StreamAlerts clients were told: (network, alert id) → the last state seen.
    final class Told: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var states: [String: Wire.AlertState] = [:]
        private(set) var events = 0
        func add(_ a: Wire.Alert) {
            lock.lock()
            defer { lock.unlock() }
            states["\(a.network)/\(a.alertID)"] = a.state
            events += 1
        }
        var snapshot: ([String: Wire.AlertState], Int) {
            lock.lock()
            defer { lock.unlock() }
            return (states, events)
        }
    }

    /// Everything one StreamAlerts call received, per alert in order, with the delay from the
    /// alert's raise (its wall time) to the client for the first event of each raise.
    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var byAlert: [String: [Wire.Alert]] = [:]
        private var raiseDelaysS: [Bool: [Double]] = [:]
        let network: String
        private let startedS = Date().timeIntervalSince1970
        init(network: String) { self.network = network }
        func add(_ a: Wire.Alert) {
            let now = Date().timeIntervalSince1970
            lock.lock()
            defer { lock.unlock() }
            let key = "\(a.network)/\(a.alertID)"
            // Only alerts raised after the call began (a restarted server's stream starts late).
            if byAlert[key] == nil, a.state == .raised, Double(a.raisedWallUnixNs) / 1e9 > startedS {
                raiseDelaysS[a.network == network, default: []].append(now - Double(a.raisedWallUnixNs) / 1e9)
            }
            byAlert[key, default: []].append(a)
        }
        var alerts: [String: [Wire.Alert]] {
            lock.lock()
            defer { lock.unlock() }
            return byAlert
        }
        /// Raise-to-client delays, s: of this server's own alerts (local) or of others' (relayed).
        func delays(own: Bool) -> [Double] {
            lock.lock()
            defer { lock.unlock() }
            return raiseDelaysS[own, default: []]
        }
    }

    /// One fluxiond of network `i` and a thread following its alerts (of every network).
    final class Node {
        let server: ServerProcess
        let conn: FluxionConnection
        let log: Log
        init(_ i: Int, scenario: String, url: String, data: String, told: Told) throws {
            let log = Log(network: "net-\(i)")
            server = try ServerProcess([
                "--scenario", scenario, "--speed", "40", "--detector", "threshold", "--alerts", url,
                "--network", "net-\(i)", "--seed", "\(i + 1)", "--data", data,
            ])
            conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
            let stream = try conn.serverStream(
                Wire.Fluxion.streamAlerts, Wire.StreamAlertsRequest(), as: Wire.AlertEvent.self)
            Thread {
                while let event = try? stream.next() {
                    if let a = event.alert {
                        told.add(a)
                        log.add(a)
                    }
                }
            }.start()
            self.log = log
        }
        func close() { conn.close() }
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
    }

    @Test func eightServersShareOnePostgresThroughAKillAndADatabaseRestart() throws {
        let env = ProcessInfo.processInfo.environment
        let seconds = Double(env["FLUXION_SCALE_SECONDS"] ?? "") ?? 40
        let count = Int(env["FLUXION_SCALE_SERVERS"] ?? "") ?? 8
        let pg = try TestPostgres()
        defer { pg.stop() }
        let url = try pg.createDatabase("scale")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fluxion-scale-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let told = Told()
        var nodes: [Node] = []
        defer {
            for n in nodes {
                n.close()
                n.server.stop()
            }
        }
        let started = Date()
        for i in 0..<count {
            let file = dir.appendingPathComponent("net-\(i).yaml")
            try Self.scenario(i).write(to: file, atomically: true, encoding: .utf8)
            nodes.append(
                try Node(i, scenario: file.path, url: url, data: dir.appendingPathComponent("d\(i)").path, told: told))
        }
        let startS = Date().timeIntervalSince(started)

        // Queries on every server in turn, across all networks, for the latency figures.
        let latencies = Mutex<[Double]>([])
        let queryErrors = Mutex<[String]>([])
        let stop = Atomic(false)
        let queriesDone = DispatchSemaphore(value: 0)
        let queryConns = try nodes.map {
            try FluxionConnection(host: "127.0.0.1", port: $0.server.port, callTimeout: 30)
        }
        Thread {
            var k = 0
            while !stop.load(ordering: .relaxed) {
                let conn = queryConns[k % queryConns.count]
                k += 1
                let t0 = Date()
                do {
                    if k % 2 == 0 {
                        let _: Wire.QueryAlertsResponse = try conn.unary(
                            Wire.Fluxion.queryAlerts, Wire.QueryAlertsRequest(pageSize: 100))
                    } else {
                        let _: Wire.AggregateAlertsResponse = try conn.unary(
                            Wire.Fluxion.aggregateAlerts, Wire.AggregateAlertsRequest(groupBy: .network))
                    }
                    latencies.withLock { $0.append(Date().timeIntervalSince(t0)) }
                } catch {
                    queryErrors.withLock { $0.append("\(error)") }
                }
                usleep(20_000)
            }
            queriesDone.signal()
        }.start()
        defer { for c in queryConns { c.close() } }

        let t0 = Date()
        func sleepUntil(_ s: Double) { while Date().timeIntervalSince(t0) < s { usleep(50_000) } }
        // kill -9 one server at 35 % of the run; it comes back two seconds later on its network.
        sleepUntil(seconds * 0.35)
        let victim = min(3, count - 1)
        let toldBeforeKill = told.snapshot.0.filter { $0.key.hasPrefix("net-\(victim)/") }
        nodes[victim].server.stop(signal: SIGKILL)
        nodes[victim].close()
        usleep(2_000_000)
        let file = dir.appendingPathComponent("net-\(victim).yaml")
        nodes[victim] = try Node(
            victim, scenario: file.path, url: url, data: dir.appendingPathComponent("d\(victim)").path, told: told)
        // The database restarts at 60 %: down for two seconds.
        sleepUntil(seconds * 0.6)
        try pg.stopServer()
        usleep(2_000_000)
        try pg.startServer()
        sleepUntil(seconds)
        stop.store(true, ordering: .relaxed)
        _ = queriesDone.wait(timeout: .now() + 30)
        // A clean stop stores what is pending before exiting: every server but the first, whose
        // stream (the control room's view) must then show every alert in its stored state.
        for n in nodes.dropFirst() { #expect(n.server.stop(signal: SIGTERM) == 0) }
        let runS = Date().timeIntervalSince(t0)

        let database = "scale"
        let rows = try pg.psql("SELECT network || '/' || alert_id, state, revision FROM alerts", database: database)
        var stored: [String: Int] = [:]
        var revisions: [String: Int] = [:]
        var storedCount = 0
        for line in rows.split(separator: "\n") {
            let parts = line.split(separator: "|")
            guard parts.count == 3 else { continue }
            stored[String(parts[0])] = Int(parts[1])
            revisions[String(parts[0])] = Int(parts[2])
            storedCount += 1
        }
        let controlRoom = nodes[0].log
        let caughtUp = Date().addingTimeInterval(20)
        func lastStates() -> [String: Int] { controlRoom.alerts.mapValues { Int($0.last!.state.rawValue) } }
        while lastStates() != stored, Date() < caughtUp { usleep(50_000) }
        #expect(nodes[0].server.stop(signal: SIGTERM) == 0)
        // One stream saw every network's alerts, each change once, in order.
        let seen = controlRoom.alerts
        #expect(lastStates() == stored, "the stream on net-0 does not end with every alert in its stored state")
        var seenEvents = 0
        for (key, events) in seen {
            seenEvents += events.count
            // Relayed: each stored change at most once. net-0's own alerts come from its engine,
            // which publishes every event while a save of several events of one alert (made
            // while the database was down) stores only the latest: more events than revisions.
            if !key.hasPrefix("net-0/") {
                #expect(
                    events.count <= revisions[key] ?? 0,
                    "\(key): \(events.count) events for \(revisions[key] ?? 0) changes")
            }
            for (a, b) in zip(events, events.dropFirst()) {
                #expect(a != b, "\(key): the same state twice")
                #expect(!(a.state == .cleared && b.state == .raised), "\(key): raised after cleared")
                #expect(a.probability <= b.probability, "\(key): out of order (the peak probability went down)")
            }
        }
        let (states, events) = told.snapshot
        #expect(!states.isEmpty, "no alert was raised in \(runS) s")
        #expect(storedCount == stored.count, "duplicate (network, alert_id) rows")
        for (key, state) in states {
            guard let s = stored[key] else {
                Issue.record("told of \(key) but it is not in the database")
                continue
            }
            if state == .cleared { #expect(s == 2, "\(key) was told cleared, stored state \(s)") }
        }
        // The killed server's alerts: all there, and none left raised (its restart closed them).
        // (Alerts raised when the others stopped stay raised until their servers start again.)
        for (key, _) in toldBeforeKill {
            #expect(
                stored[key] == 2, "\(key), told before the kill, stored state \(stored[key].map(String.init) ?? "none")"
            )
        }
        let networks = Set(stored.keys.map { $0.split(separator: "/")[0] })
        let sorted = latencies.withLock { $0 }.sorted()
        let errors = queryErrors.withLock { $0 }
        let unexpected = errors.filter { !$0.contains("UNAVAILABLE") && !$0.contains("unavailable") }
        #expect(unexpected.isEmpty, "query errors other than the database restart: \(unexpected.prefix(3))")
        print(
            String(
                format:
                    "scale: %d servers started in %.1f s; %.1f s run: %d alerts in the database from %d networks, %d events told to clients (%.2f events/s sustained), every told alert stored once; queries %d, p50 %.1f ms, p99 %.1f ms, %d failed during the database restart",
                count, startS, runS, storedCount, networks.count, events, Double(events) / runS, sorted.count,
                Self.percentile(sorted, 0.5) * 1000, Self.percentile(sorted, 0.99) * 1000, errors.count))
        // Raise to client: on the raising server's own stream (local) and on the other servers'
        // streams (through PostgreSQL NOTIFY and the relay), every stream of the run.
        let local = nodes.flatMap { $0.log.delays(own: true) }.sorted()
        let relayed = nodes.flatMap { $0.log.delays(own: false) }.sorted()
        print(
            String(
                format:
                    "scale: the stream on net-0 saw %d alerts of %d networks in %d events, each change at most once, in order; raise to client: local %d raises p50 %.1f ms p99 %.1f ms, relayed %d raises p50 %.1f ms p99 %.1f ms",
                seen.count, Set(seen.keys.map { $0.split(separator: "/")[0] }).count, seenEvents, local.count,
                Self.percentile(local, 0.5) * 1000, Self.percentile(local, 0.99) * 1000, relayed.count,
                Self.percentile(relayed, 0.5) * 1000, Self.percentile(relayed, 0.99) * 1000))
    }

    @Test func unreachableDatabaseAtStartIsAOneLineErrorAndExit1() throws {
        let port = try TestPostgres.freePort()
        let p = try runProduct(
            "fluxiond",
            [
                "--port", "0", "--alerts", "postgresql://fluxion:pw@127.0.0.1:\(port)/alerts", "--network", "north",
                "--data", FileManager.default.temporaryDirectory.appendingPathComponent("fx-\(getpid())-pg").path,
            ])
        #expect(p.status == 1)
        let lines = p.err.split(separator: "\n")
        #expect(lines.count == 1, "\(p.err)")
        #expect(p.err.hasPrefix("fluxiond: alert store postgresql://fluxion@127.0.0.1:\(port)/alerts: unreachable: "))
        #expect(!p.err.contains("pw@"))
    }

    @Test func postgresStoreNeedsANetworkName() throws {
        let p = try runProduct("fluxiond", ["--port", "0", "--alerts", "postgresql://x@127.0.0.1:1/a"])
        #expect(p.status != 0)
        #expect(p.err.contains("--network NAME is required with a PostgreSQL alert store"))
        let bad = try runProduct("fluxiond", ["--port", "0", "--network", "no/slash"])
        #expect(bad.status != 0)
        #expect(bad.err.contains("--network: only letters, digits"))
    }
}

import FluxionAlerts
import FluxionClient
import FluxionDetectorKit
import FluxionServer
import FluxionTestSupport
import FluxionWire
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Two servers on different networks sharing one PostgreSQL store: StreamAlerts on one carries
/// the other's alerts (the relay, LISTEN/NOTIFY), filtered by network, once each and in order,
/// through a killed relay connection, a crashed database backend and a database restart.
/// Each test has its own PostgreSQL server (one of them restarts it).
@Suite struct AlertRelayTests {
    /// What one StreamAlerts call received, "network/id" → the states in order.
    final class Recorder: @unchecked Sendable {
        private let events = Mutex<[Wire.Alert]>([])
        init(_ conn: FluxionConnection, networks: [String] = []) throws {
            var filter = Wire.AlertFilter()
            filter.networks = networks
            let stream = try conn.serverStream(
                Wire.Fluxion.streamAlerts, Wire.StreamAlertsRequest(filter: filter), as: Wire.AlertEvent.self)
            Thread { [self] in
                while let event = try? stream.next() { if let a = event.alert { events.withLock { $0.append(a) } } }
            }.start()
        }
        var all: [Wire.Alert] { events.withLock { $0 } }
        func byAlert(network: String? = nil) -> [String: [Wire.Alert]] {
            Dictionary(grouping: all.filter { network == nil || $0.network == network }) {
                "\($0.network)/\($0.alertID)"
            }
        }
        /// Waits until `done` holds of what was received (at most `seconds`).
        @discardableResult
        func wait(seconds: Double = 20, until done: ([Wire.Alert]) -> Bool) -> Bool {
            let end = Date().addingTimeInterval(seconds)
            while Date() < end {
                if done(all) { return true }
                usleep(20_000)
            }
            return done(all)
        }
    }

    static func server(url: String, network: String) throws -> InProcessServer {
        try AlertStoreOutageTests.server(url: url, network: network)
    }

    /// Alert k of detector "d<k>" (each its own alert): its raise and its clear.
    static func raise(_ k: Int) -> AlertSignal { AlertServiceTests.signals(k..<(k + 1)) { "d\($0)" }[0] }
    static func clear(_ k: Int) -> AlertSignal { AlertServiceTests.signals(k..<(k + 1)) { "d\($0)" }[1] }

    @Test func aStreamOnOneServerCarriesAnotherServersAlertsFilteredByNetwork() throws {
        let pg = try TestPostgres()
        defer { pg.stop() }
        let url = try pg.createDatabase()
        let north = try Self.server(url: url, network: "north")
        defer { north.stop() }
        let south = try Self.server(url: url, network: "south")
        defer { south.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: north.port, callTimeout: 30)
        defer { conn.close() }
        let all = try Recorder(conn)
        let onlySouth = try Recorder(conn, networks: ["south"])
        let onlyNorth = try Recorder(conn, networks: ["north"])
        Thread.sleep(forTimeInterval: 0.2)  // the calls are registered

        #expect(AlertServiceTests.ingest(south, (0..<3).map(Self.raise)) == 3)
        #expect(all.wait { $0.count == 3 })
        #expect(AlertServiceTests.ingest(south, (0..<3).map(Self.clear)) == 3)
        #expect(AlertServiceTests.ingest(north, AlertServiceTests.signals(0..<2)) == 4)
        #expect(all.wait { $0.count == 10 })
        #expect(onlySouth.wait { $0.count == 6 })
        #expect(onlyNorth.wait { $0.count == 4 })
        Thread.sleep(forTimeInterval: 0.5)  // nothing more comes

        let south3 = (1...3).map { "south/ALR-\($0)" }
        for recorder in [all, onlySouth] {
            let seen = recorder.byAlert(network: "south")
            #expect(seen.keys.sorted() == south3)
            for key in south3 { #expect(seen[key]?.map(\.state) == [.raised, .cleared], "\(key)") }
        }
        #expect(onlySouth.all.allSatisfy { $0.network == "south" })
        // North's own events come from its engine, once each (not again through the relay).
        for recorder in [all, onlyNorth] {
            let own = recorder.all.filter { $0.network == "north" }
            #expect(
                own.map { "\($0.alertID) \($0.state.name)" } == [
                    "ALR-1 raised", "ALR-1 cleared", "ALR-2 raised", "ALR-2 cleared",
                ])
        }
        #expect(onlyNorth.all.count == 4)
        #expect(all.all.count == 10)
        // Each server relayed the other's changes only: south's 6 to north; north's two alerts,
        // raised and cleared in one ingest, were stored once each in their cleared state (one
        // save holds the latest record of each alert), so south relayed 2 changes.
        #expect(AlertStoreOutageTests.service(north) { $0.relayedChanges } == 6)
        #expect(AlertStoreOutageTests.service(south) { $0.relayedChanges } == 2)
        // The relayed record is the stored one, field for field.
        let page: Wire.QueryAlertsResponse = try conn.unary(
            Wire.Fluxion.queryAlerts,
            Wire.QueryAlertsRequest(
                filter: {
                    var f = Wire.AlertFilter(); f.networks = ["south"]; return f
                }()))
        #expect(page.alerts == onlySouth.all.filter { $0.state == .cleared })
    }

    /// South raises and clears alerts one after another while the relay's connection is
    /// terminated, its backend is killed with SIGKILL (PostgreSQL then restarts every session),
    /// and the database is stopped and started: north's stream ends with every one of south's
    /// alerts in its stored state, no state twice, none going back.
    @Test func noChangeIsLostOrDuplicatedThroughAKilledConnectionACrashAndARestart() throws {
        let pg = try TestPostgres()
        defer { pg.stop() }
        let url = try pg.createDatabase()
        let database = String(url.split(separator: "/").last!)
        let north = try Self.server(url: url, network: "north")
        defer { north.stop() }
        let south = try Self.server(url: url, network: "south")
        defer { south.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: north.port, callTimeout: 30)
        defer { conn.close() }
        let relayed = try Recorder(conn, networks: ["south"])
        Thread.sleep(forTimeInterval: 0.2)

        let stop = Atomic(false)
        let driverDone = DispatchSemaphore(value: 0)
        let raised = Atomic(0)
        Thread {
            var k = 0
            while !stop.load(ordering: .relaxed) {
                _ = AlertServiceTests.ingest(south, [Self.raise(k)])
                usleep(30_000)
                _ = AlertServiceTests.ingest(south, [Self.clear(k)])
                raised.add(1, ordering: .relaxed)
                k += 1
                usleep(30_000)
            }
            driverDone.signal()
        }.start()
        func relayPIDs() throws -> [pid_t] {
            try pg.psql(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'fluxiond-relay'", database: "postgres"
            )
            .split(separator: "\n").compactMap { pid_t($0.trimmingCharacters(in: .whitespaces)) }
        }
        Thread.sleep(forTimeInterval: 1)
        let terminated = try pg.psql(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'fluxiond-relay'",
            database: "postgres")
        #expect(terminated.trimmingCharacters(in: .whitespacesAndNewlines) == "2")
        Thread.sleep(forTimeInterval: 1.5)
        // Back (the relays reconnected): kill -9 one's backend; the postmaster restarts them all.
        var pids: [pid_t] = []
        for _ in 0..<50 where pids.count < 2 {
            pids = (try? relayPIDs()) ?? []
            usleep(100_000)
        }
        #expect(pids.count == 2, "the relays did not reconnect")
        if let pid = pids.first { kill(pid, SIGKILL) }
        // Crash recovery (seconds on a loaded machine: it syncs the data directory first); a
        // shutdown asked for during it can hang, so wait until it is over.
        Thread.sleep(forTimeInterval: 0.5)
        let recovering = Date()
        while (try? pg.psql("SELECT 1", database: "postgres")) == nil, Date().timeIntervalSince(recovering) < 60 {
            usleep(100_000)
        }
        Thread.sleep(forTimeInterval: 1)
        try pg.stopServer()
        Thread.sleep(forTimeInterval: 1)
        try pg.startServer()
        Thread.sleep(forTimeInterval: 1.5)
        stop.store(true, ordering: .relaxed)
        #expect(driverDone.wait(timeout: .now() + 30) == .success)

        // The database's final word on every alert of south, and its revision count.
        let rows = try pg.psql(
            "SELECT alert_id, state, revision FROM alerts WHERE network = 'south'", database: database)
        var stored: [String: (state: Int, revision: Int)] = [:]
        for line in rows.split(separator: "\n") {
            let f = line.split(separator: "|")
            if f.count == 3, let s = Int(f[1]), let r = Int(f[2]) { stored["south/\(f[0])"] = (s, r) }
        }
        #expect(stored.count >= 20, "too few alerts raised (\(stored.count)) to tell anything")
        #expect(stored.count == raised.load(ordering: .relaxed))
        let complete = relayed.wait { events in
            let last = Dictionary(events.map { ("\($0.network)/\($0.alertID)", Int($0.state.rawValue)) }) { $1 }
            return stored.allSatisfy { last[$0.key] == $0.value.state }
        }
        #expect(complete, "the stream did not reach the stored state of every alert")
        let seen = relayed.byAlert()
        #expect(Set(seen.keys) == Set(stored.keys))
        var coalesced = 0
        for (key, events) in seen {
            let states = events.map(\.state)
            #expect(states == [.raised, .cleared] || states == [.cleared], "\(key): \(states)")
            #expect(events.count <= stored[key]?.revision ?? 0, "\(key): more events than changes")
            if states == [.cleared] { coalesced += 1 }
        }
        print(
            "relay: \(stored.count) alerts of south, \(relayed.all.count) events on north's stream, \(coalesced) seen only cleared (raised and cleared both during a gap)"
        )
    }

    /// Relayed events follow the fan-out's rule for slow clients: a client that does not read is
    /// ended with RESOURCE_EXHAUSTED once its backlog is full, and the server goes on relaying
    /// to the others.
    @Test func aSlowClientOfRelayedEventsIsEndedAndTheServerGoesOn() throws {
        let pg = try TestPostgres()
        defer { pg.stop() }
        let url = try pg.createDatabase()
        let north = try InProcessServer(
            tweak: { $0.streamBacklogBytes = 64 * 1024 },
            configure: { server in
                do {
                    _ = try AlertService(
                        server: server, store: try PostgresAlertStore(url: url, network: "north"),
                        network: AlertServiceTests.network)
                } catch {
                    fatalError("alert store: \(error)")
                }
            })
        defer { north.stop() }
        let south = try Self.server(url: url, network: "south")
        defer { south.stop() }
        let slow = try RawClient(port: north.port, receiveBufferBytes: 4096)
        _ = try slow.handshake()
        slow.send(Wire.Envelope(callID: 1, kind: .request, method: Wire.Fluxion.streamAlerts.path))
        Thread.sleep(forTimeInterval: 0.3)
        // 5,000 alerts raised and cleared in one ingest (stored as their latest state): ~0.5 MB
        // of events, far over the 64 KB backlog plus what the sockets hold.
        #expect(AlertServiceTests.ingest(south, AlertServiceTests.signals(0..<5_000)) == 10_000)
        let frames = try slow.readUntil { $0.kind == .end }
        #expect(frames.last?.status == .resourceExhausted)
        #expect(frames.last?.statusMessage.hasPrefix("client read too slowly: alert event for ALR-") == true)
        #expect(frames.count - 1 < 5_000)
        // The server goes on: a new client gets the next alert of south.
        let conn = try FluxionConnection(host: "127.0.0.1", port: north.port, callTimeout: 30)
        defer { conn.close() }
        let next = try Recorder(conn)
        Thread.sleep(forTimeInterval: 0.3)
        #expect(AlertServiceTests.ingest(south, [Self.raise(9_999)]) == 1)
        #expect(next.wait { $0.map(\.alertID) == ["ALR-5001"] })
    }
}

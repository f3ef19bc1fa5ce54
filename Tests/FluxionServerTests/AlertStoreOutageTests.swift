import FluxionAlerts
import FluxionClient
import FluxionDetectorKit
import FluxionServer
import FluxionTestSupport
import FluxionWire
import Foundation
import Synchronization
import Testing

/// The PostgreSQL store going away while fluxiond runs: alerts wait (bounded), the loop goes
/// on, and once the database is back every alert is stored exactly once and published in order.
/// Each test has its own PostgreSQL server (it is restarted under the test).
@Suite struct AlertStoreOutageTests {
    static func server(url: String, network: String, maxPending: Int? = nil) throws -> InProcessServer {
        try InProcessServer(configure: { server in
            var config = AlertEngine.Configuration()
            config.raiseHoldS = 0
            config.clearHoldS = 0
            do {
                let service = try AlertService(
                    server: server, store: try PostgresAlertStore(url: url, network: network),
                    network: AlertServiceTests.network, configuration: config)
                if let maxPending { service.maxPendingEvents = maxPending }
            } catch {
                fatalError("alert store: \(error)")
            }
        })
    }

    /// Hands `signals` to the service and returns at once; `done` gets the stored events later.
    static func ingestLater(
        _ server: InProcessServer, _ signals: [AlertSignal], done: @escaping @Sendable ([String]) -> Void
    ) {
        server.onLoop { s in
            s.services.compactMap { $0 as? AlertService }.first!.ingest(signals) { events in
                done(events.map { "\($0.alert.id) \($0.kind.rawValue)" })
            }
        }
    }

    static func service<T: Sendable>(_ server: InProcessServer, _ read: @escaping @Sendable (AlertService) -> T) -> T {
        server.onLoop { s in read(s.services.compactMap { $0 as? AlertService }.first!) }
    }

    @Test func alertsRaisedWhileTheDatabaseIsDownAreStoredOnceAndPublishedWhenItReturns() throws {
        let pg = try TestPostgres()
        defer { pg.stop() }
        let url = try pg.createDatabase()
        let server = try Self.server(url: url, network: "north")
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        let stream = try conn.serverStream(
            Wire.Fluxion.streamAlerts, Wire.StreamAlertsRequest(), as: Wire.AlertEvent.self)
        #expect(AlertServiceTests.ingest(server, AlertServiceTests.signals(0..<3)) == 6)

        try pg.stopServer()
        let stored = Mutex<[String]>([])
        let back = DispatchSemaphore(value: 0)
        Self.ingestLater(server, AlertServiceTests.signals(3..<10)) { events in
            stored.withLock { $0 = events }
            back.signal()
        }
        // The loop goes on: Health answers at once; a query says the store is unreachable.
        Thread.sleep(forTimeInterval: 1)
        let started = Date()
        let _: Wire.HealthResponse = try conn.unary(Wire.Fluxion.health, Wire.HealthRequest())
        #expect(Date().timeIntervalSince(started) < 1)
        let query = #expect(throws: RPCError.self) {
            let _: Wire.QueryAlertsResponse = try conn.unary(Wire.Fluxion.queryAlerts, Wire.QueryAlertsRequest())
        }
        #expect(query?.code == .unavailable)
        #expect(query?.message.contains("unreachable") == true)
        #expect(Self.service(server) { $0.pendingEvents } == 0)  // all 14 in the save being retried
        #expect(stored.withLock { $0 }.isEmpty)  // nothing published while not durable

        try pg.startServer()
        #expect(back.wait(timeout: .now() + 30) == .success)
        #expect(stored.withLock { $0 }.count == 14)
        #expect(Self.service(server) { $0.storeFailures } == 0)
        // Every alert once, in the database and on the stream, in order.
        let page: Wire.QueryAlertsResponse = try conn.unary(
            Wire.Fluxion.queryAlerts, Wire.QueryAlertsRequest(pageSize: 100))
        #expect(page.alerts.map(\.alertID) == (1...10).map { "ALR-\($0)" })
        #expect(page.alerts.allSatisfy { $0.network == "north" && $0.state == .cleared })
        var streamed: [String] = []
        for _ in 0..<20 { streamed.append(try #require(try stream.next()).alert.map { "\($0.alertID)" } ?? "?") }
        #expect(streamed == (1...10).flatMap { ["ALR-\($0)", "ALR-\($0)"] })
        let rows = try pg.psql(
            "SELECT count(*), count(DISTINCT alert_id) FROM alerts WHERE network = 'north'",
            database: String(url.split(separator: "/").last!))
        #expect(rows.trimmingCharacters(in: .whitespacesAndNewlines) == "10|10")
    }

    @Test func pendingEventsAreBoundedWhileTheDatabaseIsDown() throws {
        let pg = try TestPostgres()
        defer { pg.stop() }
        let server = try Self.server(url: try pg.createDatabase(), network: "n", maxPending: 1)
        defer { server.stop() }
        try pg.stopServer()
        func signal(_ detector: String, _ t: Double, _ p: Double) -> AlertSignal {
            AlertSignal(
                detector: detector, simTimeS: t, wallTimeUnixNs: Int64(t * 1e9),
                estimate: DetectorEstimate(probability: p, pipeID: "P1", positionM: 1_000))
        }
        // 1: goes to the writer at once and is retried there (ALR-1 raised and cleared).
        let calls = Mutex<[Int: [String]]>([:])
        let done = DispatchSemaphore(value: 0)
        func ingest(_ n: Int, _ signals: [AlertSignal]) {
            Self.ingestLater(server, signals) { events in
                calls.withLock { $0[n] = events }
                done.signal()
            }
        }
        ingest(1, AlertServiceTests.signals(0..<1))
        Thread.sleep(forTimeInterval: 0.3)
        // 2: finds nothing waiting, so it is taken whole although it is over the bound.
        ingest(2, [signal("d", 1_000, 0.85), signal("e", 1_000, 0.85)])
        #expect(Self.service(server) { $0.pendingEvents } == 2)
        // 3: finds the bound reached: d's new peak replaces d's waiting event; f is new: refused.
        ingest(3, [signal("d", 1_001, 0.99), signal("f", 1_001, 0.9)])
        #expect(Self.service(server) { $0.pendingEvents } == 2)
        #expect(Self.service(server) { $0.storeFailures } == 1)
        try pg.startServer()
        for _ in 0..<3 { #expect(done.wait(timeout: .now() + 30) == .success) }
        let results = calls.withLock { $0 }
        #expect(results[1] == ["ALR-1 raised", "ALR-1 cleared"])
        #expect(results[2] == ["ALR-2 updated", "ALR-3 raised"])
        #expect(results[3] == [])
        #expect(Self.service(server) { $0.pendingEvents } == 0)
    }
}

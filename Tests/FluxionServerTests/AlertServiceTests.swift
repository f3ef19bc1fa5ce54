import FluxionAlerts
import FluxionClient
import FluxionDetectorKit
import FluxionServer
import FluxionTestSupport
import FluxionWire
import Foundation
import Testing

/// QueryAlerts, AggregateAlerts and StreamAlerts end to end: an in-process server on real
/// sockets, alerts fed through `AlertService.ingest` as the detector host will.
@Suite struct AlertServiceTests {
    /// Stations at both ends of one 10 km pipe.
    static let network = NetworkDescription(
        scenario: "test", isGas: true, timeStepS: 1, sensors: [],
        pipes: [
            PipeDescription(id: "P1", fromNode: "A", toNode: "B", lengthM: 10_000, diameterM: 0.5, waveSpeedMPerS: 400)
        ],
        stations: [
            StationDescription(id: "STA", name: "A", nodeID: "A"),
            StationDescription(id: "STB", name: "B", nodeID: "B"),
        ],
        lines: [:])

    /// A server with an AlertService on a store in `directory`; holds of 0 s so that one
    /// sample above 0.8 raises and one below 0.3 clears.
    static func server(_ directory: URL, backlogBytes: Int? = nil) throws -> InProcessServer {
        let path = directory.path
        return try InProcessServer(
            tweak: { config in
                if let backlogBytes { config.streamBacklogBytes = backlogBytes }
            },
            configure: { server in
                var config = AlertEngine.Configuration()
                config.raiseHoldS = 0
                config.clearHoldS = 0
                do {
                    _ = try AlertService(
                        server: server, store: try SQLiteAlertStore(directory: path), network: network,
                        configuration: config)
                } catch {
                    fatalError("alert store: \(error)")
                }
            })
    }

    /// Raise-and-clear pairs: alert k is raised at t = 100k by `detector(k)` at position
    /// 1000 + 10k m on P1 (station STA below 5 km) with probability 0.81 + 0.01·(k % 10).
    static func signals(
        _ range: Range<Int>, detector: (Int) -> String = { $0 % 2 == 0 ? "thr" : "lof" }
    ) -> [AlertSignal] {
        range.flatMap { k -> [AlertSignal] in
            let estimate = DetectorEstimate(
                probability: 0.81 + 0.01 * Double(k % 10), pipeID: "P1", positionM: 1_000 + 10 * Double(k))
            return [
                AlertSignal(
                    detector: detector(k), simTimeS: 100 * Double(k), wallTimeUnixNs: Int64(k) * 1_000_000_000,
                    estimate: estimate),
                AlertSignal(
                    detector: detector(k), simTimeS: 100 * Double(k) + 1, wallTimeUnixNs: Int64(k) * 1_000_000_000 + 1,
                    estimate: DetectorEstimate(probability: 0.1)),
            ]
        }
    }

    /// Feeds `signals` and waits until their events are stored and published; returns how many.
    static func ingest(_ server: InProcessServer, _ signals: [AlertSignal]) -> Int {
        server.onLoopAwaiting { s, reply in
            let service = s.services.compactMap { $0 as? AlertService }.first!
            service.ingest(signals) { reply($0.count) }
        }
    }

    @Test func queryAlertsPagesThroughRealSocketsWithoutDuplicatesOrGaps() throws {
        let dir = try TemporaryDirectory()
        let server = try Self.server(dir.url)
        defer { server.stop() }
        #expect(Self.ingest(server, Self.signals(0..<25)) == 50)
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        var ids: [String] = []
        var token = ""
        repeat {
            let page: Wire.QueryAlertsResponse = try conn.unary(
                Wire.Fluxion.queryAlerts, Wire.QueryAlertsRequest(pageSize: 7, pageToken: token))
            #expect(page.totalCount == 25)
            #expect(page.alerts.count <= 7)
            ids += page.alerts.map(\.alertID)
            token = page.nextPageToken
        } while !token.isEmpty
        #expect(ids == (1...25).map { "ALR-\($0)" })
        // One alert in full: the 4th (k = 3): lof, 0.84, 1030 m → STA, cleared one second later.
        var filter = Wire.AlertFilter()
        filter.detectors = ["lof"]
        filter.simTime = Wire.SimTimeRange(startS: 300, endS: 300)
        let one: Wire.QueryAlertsResponse = try conn.unary(
            Wire.Fluxion.queryAlerts, Wire.QueryAlertsRequest(filter: filter))
        let a = try #require(one.alerts.first)
        #expect(one.alerts.count == 1)
        #expect(a.alertID == "ALR-4")
        #expect(a.state == .cleared)
        #expect(a.raisedSimTimeS == 300)
        #expect(a.clearedSimTimeS == 301)
        #expect(abs(a.probability - 0.84) < 1e-12)  // 0.81 + 0.01·3 in doubles
        #expect(a.stationID == "STA")
        #expect(a.pipeID == "P1")
        #expect(a.positionM == 1_030)
        #expect(a.severity == .low)
    }

    @Test func aggregateAlertsByDetector() throws {
        let dir = try TemporaryDirectory()
        let server = try Self.server(dir.url)
        defer { server.stop() }
        _ = Self.ingest(server, Self.signals(0..<10))
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        let r: Wire.AggregateAlertsResponse = try conn.unary(
            Wire.Fluxion.aggregateAlerts, Wire.AggregateAlertsRequest(groupBy: .detector))
        // k even → thr: 0.81, 0.83, 0.85, 0.87, 0.89; k odd → lof: 0.82 … 0.90.
        #expect(r.buckets.map(\.key) == ["lof", "thr"])
        #expect(r.buckets.map(\.count) == [5, 5])
        #expect(abs(r.buckets[0].meanProbability - 0.86) < 1e-9)
        #expect(abs(r.buckets[1].meanProbability - 0.85) < 1e-9)
        #expect(abs(r.buckets[0].maxProbability - 0.90) < 1e-9)
        let e = #expect(throws: RPCError.self) {
            let _: Wire.AggregateAlertsResponse = try conn.unary(
                Wire.Fluxion.aggregateAlerts, Wire.AggregateAlertsRequest())
        }
        #expect(e?.code == .invalidArgument)
        #expect(e?.message.hasPrefix("group_by:") == true)
    }

    @Test func streamAlertsReceivesEventsAfterIngestPassingItsFilter() throws {
        let dir = try TemporaryDirectory()
        let server = try Self.server(dir.url)
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        var request = Wire.StreamAlertsRequest()
        request.filter = Wire.AlertFilter(detectors: ["lof"])
        let stream = try conn.serverStream(Wire.Fluxion.streamAlerts, request, as: Wire.AlertEvent.self)
        // Wait until the server has registered the call (the request is in flight until then).
        for _ in 0..<500
        where server.onLoop({ s in s.services.compactMap { $0 as? AlertService }.first!.subscriberCount }) == 0 {
            usleep(10_000)
        }
        _ = Self.ingest(server, Self.signals(0..<2))  // k = 0 thr (filtered out), k = 1 lof
        let raised = try #require(try stream.next())
        #expect(raised.alert?.alertID == "ALR-2")
        #expect(raised.alert?.detector == "lof")
        #expect(raised.alert?.state == .raised)
        let cleared = try #require(try stream.next())
        #expect(cleared.alert?.alertID == "ALR-2")
        #expect(cleared.alert?.state == .cleared)
        stream.cancel()
    }

    @Test func badPageTokenAndFilterAreInvalidArgumentsNamingTheField() throws {
        let dir = try TemporaryDirectory()
        let server = try Self.server(dir.url)
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        let e = #expect(throws: RPCError.self) {
            let _: Wire.QueryAlertsResponse = try conn.unary(
                Wire.Fluxion.queryAlerts, Wire.QueryAlertsRequest(pageToken: "nonsense"))
        }
        #expect(e?.code == .invalidArgument)
        #expect(e?.message == "page_token: not a token this server issued")
        var filter = Wire.AlertFilter()
        filter.minProbability = 2
        let f = #expect(throws: RPCError.self) {
            let _: Wire.QueryAlertsResponse = try conn.unary(
                Wire.Fluxion.queryAlerts, Wire.QueryAlertsRequest(filter: filter))
        }
        #expect(f?.message == "filter.min_probability: must be 0…1, got 2.0")
        let s = #expect(throws: RPCError.self) {
            let _: Wire.QueryAlertsResponse = try conn.unary(
                Wire.Fluxion.queryAlerts, Wire.QueryAlertsRequest(pageSize: 5000))
        }
        #expect(s?.message == "page_size: at most 1000, got 5000")
        // Lists are bounded (each item becomes a bound parameter of the store's SQL).
        var many = Wire.AlertFilter()
        many.networks = (0...1000).map { "n\($0)" }
        let m = #expect(throws: RPCError.self) {
            let _: Wire.QueryAlertsResponse = try conn.unary(
                Wire.Fluxion.queryAlerts, Wire.QueryAlertsRequest(filter: many))
        }
        #expect(m?.code == .invalidArgument)
        #expect(m?.message == "filter.networks: at most 1000 items, got 1001")
    }

    /// Regression: an unknown min_severity number was taken as "no minimum" (every alert passed).
    @Test func unknownMinSeverityIsAnInvalidArgument() throws {
        let dir = try TemporaryDirectory()
        let server = try Self.server(dir.url)
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        var filter = Wire.AlertFilter()
        filter.minSeverity = .unrecognized(9)
        let e = #expect(throws: RPCError.self) {
            let _: Wire.QueryAlertsResponse = try conn.unary(
                Wire.Fluxion.queryAlerts, Wire.QueryAlertsRequest(filter: filter))
        }
        #expect(e?.code == .invalidArgument)
        #expect(e?.message == "filter.min_severity: unknown severity 9")
        // Enum numbers this server does not know are refused, not read as "any" (proto3 enums
        // are open; the generated types keep the number).
        filter = Wire.AlertFilter(state: .unrecognized(7))
        let state = #expect(throws: RPCError.self) {
            let _: Wire.QueryAlertsResponse = try conn.unary(
                Wire.Fluxion.queryAlerts, Wire.QueryAlertsRequest(filter: filter))
        }
        #expect(state?.code == .invalidArgument)
        #expect(state?.message == "filter.state: unknown alert state 7")
        let grouping = #expect(throws: RPCError.self) {
            let _: Wire.AggregateAlertsResponse = try conn.unary(
                Wire.Fluxion.aggregateAlerts, Wire.AggregateAlertsRequest(groupBy: .unrecognized(9)))
        }
        #expect(grouping?.code == .invalidArgument)
        #expect(grouping?.message.hasPrefix("group_by: must be station") == true)
    }

    /// A client that reads nothing: its StreamAlerts call ends with RESOURCE_EXHAUSTED once its
    /// backlog is full (events are never skipped silently), and the server stays healthy.
    @Test func slowAlertStreamIsEndedNotSkipped() throws {
        let dir = try TemporaryDirectory()
        let server = try Self.server(dir.url, backlogBytes: 16 * 1024)
        defer { server.stop() }
        let slow = try RawClient(port: server.port)
        _ = try slow.handshake()
        slow.send(Wire.Envelope(callID: 1, kind: .request, method: Wire.Fluxion.streamAlerts.path))
        for _ in 0..<500
        where server.onLoop({ s in s.services.compactMap { $0 as? AlertService }.first!.subscriberCount }) == 0 {
            usleep(10_000)
        }
        // 120,000 events of ≈ 100 bytes: far more than the loopback socket buffers hold.
        #expect(Self.ingest(server, Self.signals(0..<60_000)) == 120_000)
        #expect(server.onLoop { s in s.services.compactMap { $0 as? AlertService }.first!.subscriberCount } == 0)
        let frames = try slow.readUntil { $0.kind == .end }
        #expect(frames.last?.status == .resourceExhausted)
        #expect(frames.last?.statusMessage.hasPrefix("client read too slowly: alert event for ALR-") == true)
        // What was delivered before the end is a prefix of the events, in order, without gaps.
        let ids = try frames.dropLast().map { try Wire.AlertEvent(decoding: $0.payload).alert?.alertID }
        #expect(!ids.isEmpty)
        let expected = (1...ids.count).map { "ALR-\(($0 + 1) / 2)" }  // each alert raised then cleared
        #expect(ids == expected)
    }

    @Test func removingADetectorClearsAndStoresItsAlert() throws {
        let dir = try TemporaryDirectory()
        let server = try Self.server(dir.url)
        defer { server.stop() }
        _ = Self.ingest(
            server,
            [
                AlertSignal(
                    detector: "thr", simTimeS: 5, wallTimeUnixNs: 5,
                    estimate: DetectorEstimate(probability: 0.95))
            ])
        let cleared = server.onLoopAwaiting { s, reply in
            s.services.compactMap { $0 as? AlertService }.first!.removeDetector("thr", simTimeS: 9) {
                reply($0?.alert)
            }
        }
        #expect(cleared?.state == .cleared)
        #expect(cleared?.clearedSimTimeS == 9)
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        let page: Wire.QueryAlertsResponse = try conn.unary(Wire.Fluxion.queryAlerts, Wire.QueryAlertsRequest())
        #expect(page.alerts.map(\.state) == [.cleared])
        #expect(page.alerts.first?.clearedSimTimeS == 9)
    }

    /// Alerts survive a server restart on the same data directory; one left raised is closed
    /// at restart, and new ids do not reuse old ones.
    @Test func alertsPersistAcrossRestart() throws {
        let dir = try TemporaryDirectory()
        do {
            let server = try Self.server(dir.url)
            _ = Self.ingest(server, Self.signals(0..<3))
            // A fourth alert raised and not cleared.
            _ = Self.ingest(
                server,
                [
                    AlertSignal(
                        detector: "thr", simTimeS: 1_000, wallTimeUnixNs: 5,
                        estimate: DetectorEstimate(probability: 0.95))
                ])
            server.stop()
        }
        let server = try Self.server(dir.url)
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        let page: Wire.QueryAlertsResponse = try conn.unary(Wire.Fluxion.queryAlerts, Wire.QueryAlertsRequest())
        #expect(page.alerts.map(\.alertID) == ["ALR-1", "ALR-2", "ALR-3", "ALR-4"])
        #expect(page.alerts.allSatisfy { $0.state == .cleared })
        #expect(page.alerts.last?.clearedSimTimeS == 1_000)
        _ = Self.ingest(server, Self.signals(10..<11))
        let after: Wire.QueryAlertsResponse = try conn.unary(Wire.Fluxion.queryAlerts, Wire.QueryAlertsRequest())
        #expect(after.alerts.map(\.alertID).last == "ALR-5")
    }
}

/// A directory under the temporary directory, removed when the value is released.
final class TemporaryDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("fluxion-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
}

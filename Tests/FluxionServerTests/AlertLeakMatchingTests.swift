import FluxionAlerts
import FluxionClient
import FluxionDetectorKit
import FluxionScenario
import FluxionServer
import FluxionTwin
import FluxionWire
import Foundation
import Testing

/// An AlertService beside a live twin: alerts carry the leak the twin injected, and the
/// station nearest the estimate in the real absheron network.
@Suite struct AlertLeakMatchingTests {
    @Test func alertNearAnInjectedLeakIsMatchedToIt() throws {
        let dir = try TemporaryDirectory()
        let path = dir.url.path
        let simulation = try Simulation(scenario: try EmbeddedScenarios.load("absheron"), seed: 7)
        nonisolated(unsafe) let sim = simulation
        let server = try InProcessServer(configure: { server in
            let twin = TwinService(simulation: sim, speed: 10, freeRunning: false, server: server)
            var config = AlertEngine.Configuration()
            config.raiseHoldS = 0
            do {
                _ = try AlertService(
                    server: server, store: try SQLiteAlertStore(directory: path),
                    network: AlertService.networkDescription(of: sim.topology), twin: twin,
                    configuration: config)
            } catch {
                fatalError("alert store: \(error)")
            }
            twin.start()
        })
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        let injected: Wire.InjectLeakResponse = try conn.unary(
            Wire.Fluxion.injectLeak,
            Wire.InjectLeakRequest(
                where: .line(Wire.LineChainage(lineID: "trunk", chainageM: 30_000)), size: .sizeFraction(0.03)))
        let leak = try #require(injected.leak)
        // Wait (bounded) until the twin has delivered the leak's appearance to the loop.
        var startS: Double?
        for _ in 0..<1_000 where startS == nil {
            startS = server.onLoop { s in
                let twin = s.services.compactMap { $0 as? TwinService }.first!
                return twin.leakEvents.first { $0.leak.id == leak.leakID }.map { _ in twin.simTimeS }
            }
            if startS == nil { usleep(10_000) }
        }
        let t = try #require(startS, "the twin never reported the leak")
        // An estimate 800 m from the leak on the same pipe (inside the 2 km tolerance), and one
        // by another detector 5 km away (outside it).
        let near = AlertSignal(
            detector: "thr", simTimeS: t, wallTimeUnixNs: 1,
            estimate: DetectorEstimate(probability: 0.9, pipeID: leak.pipeID, positionM: leak.positionM - 800))
        let far = AlertSignal(
            detector: "lof", simTimeS: t, wallTimeUnixNs: 1,
            estimate: DetectorEstimate(probability: 0.9, pipeID: leak.pipeID, positionM: max(0, leak.positionM - 5_000))
        )
        let events = server.onLoopAwaiting { s, reply in
            s.services.compactMap { $0 as? AlertService }.first!.ingest([near, far]) { reply($0.map(\.alert)) }
        }
        #expect(events.count == 2)
        #expect(events.first?.matchedLeakID == leak.leakID)
        #expect(events.last?.matchedLeakID == nil)
        #expect(events.first?.segmentID == "trunk")
        #expect(events.first?.stationID?.isEmpty == false)
        let page: Wire.QueryAlertsResponse = try conn.unary(Wire.Fluxion.queryAlerts, Wire.QueryAlertsRequest())
        #expect(page.alerts.first?.matchedLeakID == leak.leakID)
    }
}

import FluxionClient
import FluxionDetectorKit
import FluxionScenario
import FluxionServer
import FluxionTestSupport
import FluxionTwin
import FluxionWire
import Foundation
import Testing

/// Work that fails off the loop thread ends its call with a status, never with silence or an
/// empty success (`Router.unary(_:on:)`).
@Suite struct WorkerFailureTests {
    /// Calls answered by the twin when its thread no longer runs: each ends with UNAVAILABLE
    /// (ListLeaks used to be able to answer OK with no leaks, GetClock and SetClock to never
    /// answer at all).
    @Test func callsToAStoppedTwinEndWithUnavailable() throws {
        let server = try LiveTwinTests.server()
        defer { server.stop() }
        server.onLoop { s in s.services.compactMap { $0 as? TwinService }.first!.host.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 5)
        defer { conn.close() }
        func expectUnavailable(_ name: String, _ body: () throws(RPCError) -> Void) {
            do throws(RPCError) {
                try body()
                Issue.record("\(name): answered OK")
            } catch {
                #expect(error.code == .unavailable, "\(name): \(error)")
                #expect(error.message == "the twin has stopped", "\(name): \(error)")
            }
        }
        expectUnavailable("ListLeaks") { () throws(RPCError) in
            let _: Wire.ListLeaksResponse = try conn.unary(Wire.Fluxion.listLeaks, Wire.ListLeaksRequest())
        }
        expectUnavailable("GetClock") { () throws(RPCError) in
            let _: Wire.Clock = try conn.unary(Wire.Fluxion.getClock, Wire.GetClockRequest())
        }
        expectUnavailable("SetClock") { () throws(RPCError) in
            let _: Wire.Clock = try conn.unary(Wire.Fluxion.setClock, Wire.SetClockRequest(paused: true))
        }
        expectUnavailable("ClearLeak") { () throws(RPCError) in
            let _: Wire.ClearLeakResponse = try conn.unary(Wire.Fluxion.clearLeak, Wire.ClearLeakRequest(leakID: "L1"))
        }
        // Requests are still checked first, and the server itself still answers.
        let e = #expect(throws: RPCError.self) {
            let _: Wire.ClearLeakResponse = try conn.unary(Wire.Fluxion.clearLeak, Wire.ClearLeakRequest(leakID: ""))
        }
        #expect(e?.code == .invalidArgument)
        let h: Wire.HealthResponse = try conn.unary(Wire.Fluxion.health, Wire.HealthRequest())
        #expect(h.status == .serving)
    }

    /// A network description the server cannot encode for plugins (a non-finite length) makes
    /// LoadDetector fail with INTERNAL naming the field, instead of handing the plugin an empty
    /// network.
    @Test func unencodableNetworkIsAnErrorNotAnEmptyNetwork() throws {
        let simulation = try Simulation(scenario: try EmbeddedScenarios.load("water-main-leak"), seed: 3)
        let sim = simulation
        var network = NetworkDescription(simulation)
        network.pipes[0].lengthM = .nan
        let broken = network
        let server = try InProcessServer(configure: { server in
            let twin = TwinService(simulation: sim, speed: 1, freeRunning: true, paused: true, server: server)
            _ = DetectorService(
                twin: twin, network: broken, pluginDirectory: DetectorRPCTests.pluginDirectory, server: server)
            twin.start()
        })
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        let e = #expect(throws: RPCError.self) {
            let _: Wire.DetectorResponse = try conn.unary(
                Wire.Fluxion.loadDetector, Wire.LoadDetectorRequest(plugin: "threshold"))
        }
        #expect(e?.code == .internal)
        #expect(
            e?.message.hasPrefix("the network description could not be encoded for detectors: pipes[0].lengthM:")
                == true, "\(String(describing: e))")
        let list: Wire.ListDetectorsResponse = try conn.unary(Wire.Fluxion.listDetectors, Wire.ListDetectorsRequest())
        #expect(!list.detectors.contains { $0.state != .available }, "a failed load must not leave an instance")
    }
}

import FluxionClient
import FluxionDetectorKit
import FluxionScenario
import FluxionServer
import FluxionTestSupport
import FluxionTwin
import FluxionWire
import Foundation
import Synchronization
import Testing

/// The detector RPCs end to end: a real server on real sockets, the real plugin builds (beside
/// the test executable), the twin running `water-main-leak` (1 % leak at t = 20 s on M2).
@Suite struct DetectorRPCTests {
    final class Signals: Sendable {
        let all = Mutex<[AlertSignal]>([])
    }

    static let pluginDirectory = PluginFixtures.directory

    /// A paused twin with a DetectorService whose signals land in `signals`.
    static func server(_ signals: Signals) throws -> InProcessServer {
        let simulation = try Simulation(scenario: try EmbeddedScenarios.load("water-main-leak"), seed: 3)
        nonisolated(unsafe) let sim = simulation
        return try InProcessServer(configure: { server in
            let twin = TwinService(simulation: sim, speed: 1, freeRunning: true, paused: true, server: server)
            let detectors = DetectorService(
                twin: twin, simulation: sim, pluginDirectory: pluginDirectory, server: server)
            detectors.onSignals.append { batch in signals.all.withLock { $0 += batch } }
            twin.start()
        })
    }

    private func expectStatus(_ code: Wire.StatusCode, _ body: () throws(RPCError) -> Void) -> String {
        do throws(RPCError) {
            try body()
            Issue.record("expected \(code), got OK")
        } catch {
            #expect(error.code == code, "\(error)")
            return error.message
        }
        return ""
    }

    @Test func loaderErrorsHaveClearStatuses() throws {
        let server = try Self.server(Signals())
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        func load(_ plugin: String, _ config: String = "") throws(RPCError) {
            let _: Wire.DetectorResponse = try conn.unary(
                Wire.Fluxion.loadDetector, Wire.LoadDetectorRequest(plugin: plugin, configJSON: config))
        }
        _ = expectStatus(.invalidArgument) { () throws(RPCError) in try load("../lib/evil") }
        _ = expectStatus(.notFound) { () throws(RPCError) in try load("NoSuchDetector") }
        #expect(
            expectStatus(.failedPrecondition) { () throws(RPCError) in try load("FluxionTestBadABI") }.contains(
                "version 999"))
        #expect(
            expectStatus(.failedPrecondition) { () throws(RPCError) in try load("FluxionTestNoEntry") }.contains(
                "fluxion_detector_entry"))
        #expect(
            expectStatus(.failedPrecondition) { () throws(RPCError) in try load("FluxionTestInitFails") }.contains(
                "refuses every configuration"))
        _ = expectStatus(.invalidArgument) { () throws(RPCError) in try load("threshold", "{not json") }
        _ = expectStatus(.notFound) { () throws(RPCError) in
            let _: Wire.DetectorResponse = try conn.unary(
                Wire.Fluxion.activateDetector, Wire.ActivateDetectorRequest(name: "ghost"))
        }
        let list: Wire.ListDetectorsResponse = try conn.unary(Wire.Fluxion.listDetectors, Wire.ListDetectorsRequest())
        // Listed by its own name, as load takes it.
        #expect(list.detectors.contains { $0.name == "threshold" && $0.state == .available })
        #expect(!list.detectors.contains { $0.state != .available }, "a failed load must not leave an instance")
    }

    @Test func thresholdRaisesSignalsForTheLeakAndSwapsCleanly() throws {
        let signals = Signals()
        let server = try Self.server(signals)
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        let config = #"{"learn_s": 15, "window_blocks": 5}"#
        let loaded: Wire.DetectorResponse = try conn.unary(
            Wire.Fluxion.loadDetector,
            Wire.LoadDetectorRequest(plugin: "threshold", name: "t1", configJSON: config))
        #expect(loaded.detectors.map(\.state) == [.loaded])
        #expect(loaded.detectors.first?.abiVersion == 1)
        let _: Wire.DetectorResponse = try conn.unary(
            Wire.Fluxion.loadDetector,
            Wire.LoadDetectorRequest(plugin: "threshold", name: "t2", configJSON: config))
        let active: Wire.DetectorResponse = try conn.unary(
            Wire.Fluxion.activateDetector, Wire.ActivateDetectorRequest(name: "t1"))
        #expect(active.detectors.map(\.state) == [.active])
        let _: Wire.Clock = try conn.unary(
            Wire.Fluxion.setClock, Wire.SetClockRequest(speed: 1, paused: false, freeRunning: true))

        // Wait (bounded) for signals past the leak's start and its alarm.
        let deadline = Date(timeIntervalSinceNow: 60)
        while Date() < deadline, !signals.all.withLock({ $0.contains { $0.simTimeS > 40 } }) { usleep(20_000) }
        let seen = signals.all.withLock { $0 }
        #expect(seen.allSatisfy { $0.detector == "t1" })
        let alarm = try #require(seen.first { $0.estimate.probability >= 0.5 })
        #expect(alarm.simTimeS > 20, "no alarm before the leak opens")
        #expect(alarm.estimate.pipeID == "M2")

        let swapped: Wire.DetectorResponse = try conn.unary(
            Wire.Fluxion.swapDetector, Wire.SwapDetectorRequest(deactivate: "t1", activate: "t2"))
        #expect(swapped.detectors.map(\.name) == ["t1", "t2"])
        #expect(swapped.detectors.map(\.state) == [.loaded, .active])
        let list: Wire.ListDetectorsResponse = try conn.unary(Wire.Fluxion.listDetectors, Wire.ListDetectorsRequest())
        let t1 = try #require(list.detectors.first { $0.name == "t1" })
        #expect(t1.samplesSeen > 0)
        _ = expectStatus(.notFound) { () throws(RPCError) in
            let _: Wire.DetectorResponse = try conn.unary(
                Wire.Fluxion.swapDetector, Wire.SwapDetectorRequest(deactivate: "t2", activate: "ghost"))
        }
        // A failed swap changes nothing.
        let after: Wire.ListDetectorsResponse = try conn.unary(Wire.Fluxion.listDetectors, Wire.ListDetectorsRequest())
        #expect(after.detectors.first { $0.name == "t2" }?.state == .active)
    }
}

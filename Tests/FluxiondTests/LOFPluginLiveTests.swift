import FluxionClient
import FluxionWire
import Foundation
import Testing

/// The LOF plugin on a live server: a model trained by `fluxion train lof`, loaded over the wire
/// into the real fluxiond (real dlopen of libFluxionLof.so), sees the scripted leak of
/// `water-main-leak` (1 % of flow at 4.2 km from t = 20 s to t = 80 s).
@Suite struct LOFPluginLiveTests {
    @Test func lofLoadedOverTheWireSeesTheScriptedLeak() throws {
        let models = FileManager.default.temporaryDirectory.appendingPathComponent("lof-live-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: models) }
        let model = models.appendingPathComponent("water.model").path
        let train = try runProduct(
            "fluxion",
            [
                "train", "lof", "--scenario", "water-main-leak", "--duration", "600",
                "--window", "2", "--seed", "5", "--out", model,
            ])
        #expect(train.status == 0, "\(train.err)")

        let server = try ServerProcess([
            "--scenario", "water-main-leak", "--speed", "5", "--paused", "--models", models.path,
        ])
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        let loaded: Wire.DetectorResponse = try conn.unary(
            Wire.Fluxion.loadDetector,
            Wire.LoadDetectorRequest(
                plugin: "lof", configJSON: #"{"model": "water.model"}"#))
        #expect(loaded.detectors.contains { $0.name == "lof" })
        let _: Wire.DetectorResponse = try conn.unary(
            Wire.Fluxion.activateDetector, Wire.ActivateDetectorRequest(name: "lof"))
        let _: Wire.Clock = try conn.unary(Wire.Fluxion.setClock, Wire.SetClockRequest(speed: 5))

        // Sample the detector's probability as simulated time passes (bounded by sim time 75 s).
        var before: [Double] = [], during: [Double] = []
        var simTime = 0.0
        let deadline = Date().addingTimeInterval(60)
        while simTime < 75, Date() < deadline {
            usleep(100_000)
            let clock: Wire.Clock = try conn.unary(Wire.Fluxion.getClock, Wire.GetClockRequest())
            let list: Wire.ListDetectorsResponse = try conn.unary(
                Wire.Fluxion.listDetectors, Wire.ListDetectorsRequest())
            let lof = try #require(list.detectors.first { $0.name == "lof" && $0.state == .active })
            #expect(lof.lastError.isEmpty)
            simTime = clock.simTimeS
            if simTime > 8, simTime < 19 { before.append(lof.leakProbability) }
            if simTime > 30 { during.append(lof.leakProbability) }
        }
        #expect(!before.isEmpty && !during.isEmpty)
        // Before the leak the detector is quiet; once the 1 % leak has settled it is sure.
        #expect(before.filter { $0 >= 0.5 }.count <= before.count / 4, "before: \(before)")
        #expect(during.filter { $0 >= 0.9 }.count >= during.count * 3 / 4, "during: \(during)")
    }
}

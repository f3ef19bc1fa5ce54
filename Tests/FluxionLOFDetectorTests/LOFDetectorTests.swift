import FluxionDetectorKit
import FluxionDetectors
import FluxionScenario
import FluxionTwin
import Foundation
import Testing

@testable import FluxionLOFDetector

/// The LOF leak detector on the `water-main-leak` line: trained on normal operation, it flags a
/// leak it never saw and points at the pressure sensor nearest to it.
@Suite struct LOFDetectorTests {
    /// Normal operation: the scenario without its scripted leak.
    func normalScenario() throws -> Scenario {
        var s = try EmbeddedScenarios.load("water-main-leak")
        s.leaks = []
        return s
    }

    func train(seconds: Double, seed: UInt64) throws -> (LOFDetectorModel, NetworkDescription) {
        var sim = try Simulation(scenario: try normalScenario(), seed: seed)
        let network = NetworkDescription(sim)
        var extractor = LOFFeatureExtractor(network: network, windowS: 2)
        var sampler = TrainingSampler(intervalS: 2)
        let ticks = TickBuilder(network)
        var vectors: [[Double]] = []
        var outflow = 0.0
        while sim.timeS < seconds {
            let readings = sim.step()
            guard let t = readings.first?.simTimeS else { continue }
            if let v = extractor.observe(ticks.tick(simTimeS: t, readings: readings)), sampler.take(atS: t) {
                vectors.append(v)
                outflow += extractor.lastOutflow
            }
        }
        let model = try LOFDetectorModel.train(
            vectors: vectors, features: extractor.featureNames, scenario: "water-main-leak",
            windowS: 2, nominalOutflow: outflow / Double(vectors.count))
        return (model, network)
    }

    /// Runs `detector` over a normal run (seed 2) with a 2 % leak at M2 1500 m from 200 s, the
    /// sensors in `failed` dropped out from the start: the probabilities before the leak (after
    /// 10 s), after it (from 5 s on) and the pipe it points at once the transient has settled
    /// (waves cross the 6 km line in ~5 s; from 30 s on).
    func run(
        _ detector: inout LOFLeakDetector, network: NetworkDescription, failed: [String] = []
    ) throws -> (
        before: [Double], after: [Double], located: [String?]
    ) {
        var sim = try Simulation(scenario: try normalScenario(), seed: 2)
        for id in failed { try sim.setSensorFault(id: id, fault: .dropout) }
        let leakStart = 200.0
        _ = try sim.injectLeak(
            LeakRequest(
                location: .pipe(id: "M2", positionM: 1500), size: .fractionOfNominalFlow(0.02),
                startS: leakStart))
        let ticks = TickBuilder(network)
        var before: [Double] = [], after: [Double] = []
        var located: [String?] = []
        while sim.timeS < 450 {
            let readings = sim.step()
            guard let t = readings.first?.simTimeS else { continue }
            let e = try detector.observe(ticks.tick(simTimeS: t, readings: readings))
            if t > 10, t < leakStart { before.append(e.probability) }
            if t > leakStart + 5 { after.append(e.probability) }
            if t > leakStart + 30 { located.append(e.pipeID) }
        }
        return (before, after, located)
    }

    @Test func detectsAndLocatesALeakItNeverSaw() throws {
        let (model, network) = try train(seconds: 800, seed: 1)
        var detector = try LOFLeakDetector(network: network, model: model)
        let (before, after, located) = try run(&detector, network: network)
        let falseRate = Double(before.filter { $0 >= 0.5 }.count) / Double(before.count)
        let hitRate = Double(after.filter { $0 >= 0.5 }.count) / Double(after.count)
        // Contamination 1 % puts 1 % of normal training vectors past the decision boundary by
        // construction; allow 5 % on unseen normal data (another noise seed).
        #expect(falseRate <= 0.05, "false alarm fraction \(falseRate)")
        // Once the leak's pressure drop has settled in the window, nearly every vector is an outlier.
        #expect(hitRate >= 0.9, "detection fraction \(hitRate)")
        // The sensors on the leak's pipe (M2) drop most. The location is coarse by design (the
        // most-dropped sensor) and sensor noise sometimes lets an M1 sensor win: require a clear
        // majority, 80 % (measured: ~89 %).
        let onM2 = Double(located.filter { $0 == "M2" }.count) / Double(located.count)
        #expect(onM2 >= 0.8, "located on M2 in \(onM2) of vectors")
    }

    /// A line transmitter failed from the start (PT-2500, never reporting): its features are
    /// stood in for by its neighbours, so the detector still answers and finds the leak. Before,
    /// it formed no feature vector at all and stayed at probability 0 (0 of 400 leaks detected in
    /// `fluxion evaluate --sensor-fault PT-2500=dropout`). Same bounds as with every transmitter.
    @Test func aFailedTransmitterDoesNotSilenceIt() throws {
        let (model, network) = try train(seconds: 800, seed: 1)
        var detector = try LOFLeakDetector(network: network, model: model)
        let (before, after, _) = try run(&detector, network: network, failed: ["PT-2500"])
        let falseRate = Double(before.filter { $0 >= 0.5 }.count) / Double(before.count)
        let hitRate = Double(after.filter { $0 >= 0.5 }.count) / Double(after.count)
        #expect(falseRate <= 0.05, "false alarm fraction \(falseRate)")
        #expect(hitRate >= 0.9, "detection fraction \(hitRate)")
    }

    @Test func modelFileRoundTripAndCorruption() throws {
        let (model, network) = try train(seconds: 120, seed: 3)
        #expect(model.header.trainingVectors >= 50)
        let bytes = try model.encoded()
        let back = try LOFDetectorModel(decoding: bytes, source: "mem")
        #expect(back.header == model.header)
        #expect(back.lof.encoded() == model.lof.encoded())
        _ = try LOFLeakDetector(network: network, model: back)

        #expect(throws: LOFDetectorError.notAModel(source: "x")) {
            try LOFDetectorModel(decoding: Array("NOTAMODELFILE".utf8), source: "x")
        }
        #expect(throws: LOFDetectorError.truncated(source: "x")) {
            try LOFDetectorModel(decoding: Array(bytes[0..<20]), source: "x")
        }
        var flipped = bytes
        flipped[flipped.count - 3] ^= 0xFF  // inside the LOF model: its CRC must catch it
        #expect(throws: (any Error).self) { try LOFDetectorModel(decoding: flipped, source: "x") }

        // A model trained on another network is refused, naming both feature lists.
        var other = network
        other.sensors.removeAll { $0.id == "FT-farm" }  // the balance would mean something else
        #expect(throws: LOFDetectorError.self) { try LOFLeakDetector(network: other, model: back) }
    }

    @Test func configErrorsAreClear() throws {
        let (_, network) = try train(seconds: 60, seed: 4)
        #expect(throws: LOFDetectorError.cannotRead(path: "/nonexistent/model")) {
            try LOFLeakDetector(network: network, configJSON: Array(#"{"model": "/nonexistent/model"}"#.utf8))
        }
        #expect(throws: (any Error).self) { try LOFLeakDetector(network: network, configJSON: Array("{not json".utf8)) }
        for (json, message) in [
            (#"{"neighbors": 1000000}"#, "neighbors must be in 1…1000"),
            (#"{"window_s": 0}"#, "window_s must be in 1…3600"),
            (#"{"learn_s": 1e300}"#, "learn_s must be in (0, 604800]"),
        ] {
            do {
                _ = try LOFLeakDetector(network: network, configJSON: Array(json.utf8))
                Issue.record("\(json) accepted")
            } catch {
                #expect("\(error)".contains("lof configuration: \(message)"), "\(error)")
            }
        }
    }
}

/// On a gas network the balance feature subtracts the rate of change of line pack: over a day
/// of `absheron`'s demand swings the raw imbalance Σ in − Σ out moves by ±1,600 Sm³/h even in
/// 2-hour means (the line pack filling and emptying), more than a 5 % leak; the corrected
/// feature's standard deviation must be under a tenth of the raw imbalance's (measured: 82
/// against 975 Sm³/h). Tolerance: 10-min windows of 0.1 Hz meters (σ ≈ 16 Sm³/h) and a
/// line pack read from 8 transmitters (piecewise, not the true profile).
@Suite struct LOFGasFeatureTests {
    @Test func theBalanceFeatureHoldsTheLinePack() throws {
        var scenario = try EmbeddedScenarios.load("absheron")
        scenario.leaks = []
        scenario.autopilot.enabled = false
        var sim = try Simulation(scenario: scenario, seed: 5)
        let network = NetworkDescription(sim)
        var extractor = LOFFeatureExtractor(network: network, windowS: 600)
        #expect(extractor.featureNames[0].hasPrefix("balance-linepack("))
        let ticks = TickBuilder(network)
        var corrected: [Double] = [], raw: [Double] = []
        var flow: [String: Double] = [:]
        var sampler = TrainingSampler(intervalS: 600)
        while sim.timeS < 86_400 {
            let readings = sim.step()
            guard let t = readings.first?.simTimeS else { continue }
            for r in readings where r.sensorId.hasSuffix("-FT") || r.sensorId == "FT-SRC" { flow[r.sensorId] = r.value }
            if let v = extractor.observe(ticks.tick(simTimeS: t, readings: readings)), sampler.take(atS: t) {
                corrected.append(v[0])
                raw.append(flow.reduce(0) { $0 + ($1.key == "FT-SRC" ? $1.value : -$1.value) })
            }
        }
        func std(_ x: [Double]) -> Double {
            let m = x.reduce(0, +) / Double(x.count)
            return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count)).squareRoot()
        }
        #expect(corrected.count > 100)
        #expect(std(corrected) < std(raw) / 10, "σ corrected \(std(corrected)), raw \(std(raw)) Sm³/h")
    }
}

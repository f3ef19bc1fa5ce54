import FluxionScenario
import Foundation
import Testing

@testable import FluxionTwin

/// The simulation API: sensors, determinism, faults, leaks, autopilot.
@Suite struct SimulationTests {
    static func run(_ scenario: Scenario, seed: UInt64, seconds: Double) throws -> [Reading] {
        var sim = try Simulation(scenario: scenario, seed: seed)
        var out = [Reading]()
        sim.advance(toTimeS: seconds) { out += $0 }
        return out
    }

    @Test func sameSeedSameReadingsBitForBit() throws {
        let scenario = try EmbeddedScenarios.load("water-main-leak")
        let a = try Self.run(scenario, seed: 7, seconds: 30)
        let b = try Self.run(scenario, seed: 7, seconds: 30)
        let c = try Self.run(scenario, seed: 8, seconds: 30)
        #expect(a.count == b.count && !a.isEmpty)
        #expect(zip(a, b).allSatisfy { $0.value.bitPattern == $1.value.bitPattern && $0.sensorId == $1.sensorId })
        #expect(zip(a, c).contains { $0.value != $1.value })
    }

    @Test func sampleRatesNoiseBiasAndQuantization() throws {
        let net = Networks.reservoirPipeValve(darcy: 0.02, flow: 0.1, closure: .open)
        let scenario = Scenario(
            name: "t", network: net,
            sensors: [
                Sensor(id: "fast", quantity: .head, location: .pipe(id: "P", positionM: 500), sampleRateHz: 10),
                Sensor(id: "slow", quantity: .head, location: .pipe(id: "P", positionM: 500), sampleRateHz: 0.5),
                Sensor(
                    id: "noisy", quantity: .head, location: .pipe(id: "P", positionM: 500), sampleRateHz: 10,
                    noiseStdDev: 0.5, bias: 2, quantization: 0.25),
            ], solver: SolverOptions(timeStepS: 0.01))
        let readings = try Self.run(scenario, seed: 1, seconds: 20)
        let fast = readings.filter { $0.sensorId == "fast" }, slow = readings.filter { $0.sensorId == "slow" }
        #expect(fast.count == 200)
        #expect(slow.count == 10)
        let truth = fast[0].value
        let noisy = readings.filter { $0.sensorId == "noisy" }.map(\.value)
        #expect(noisy.allSatisfy { ($0 / 0.25).rounded() * 0.25 == $0 })
        let mean = noisy.reduce(0, +) / Double(noisy.count)
        let sd = (noisy.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(noisy.count - 1)).squareRoot()
        // 200 samples: the mean is within 4 standard errors (4·0.5/√200 ≈ 0.14 m) of truth + bias,
        // the spread within 25 % of σ (quantization adds 0.25²/12 to the variance).
        #expect(abs(mean - (truth + 2)) < 0.15, "mean \(mean) vs \(truth + 2)")
        #expect(abs(sd - 0.5) < 0.125, "sd \(sd)")
    }

    @Test func sensorFaultsDropOutAndFreeze() throws {
        let scenario = try EmbeddedScenarios.load("water-main-leak")
        var sim = try Simulation(scenario: scenario, seed: 3)
        sim.advance(toTimeS: 5)
        try sim.setSensorFault(id: "PT-0500", fault: .dropout)
        try sim.setSensorFault(id: "PT-2500", fault: .freeze)
        var dropped = [Reading](), frozen = [Reading]()
        sim.advance(toTimeS: 10) { rs in
            dropped += rs.filter { $0.sensorId == "PT-0500" }
            frozen += rs.filter { $0.sensorId == "PT-2500" }
        }
        #expect(!dropped.isEmpty && dropped.allSatisfy { !$0.valid && $0.value.isNaN })
        #expect(frozen.count > 10 && Set(frozen.map(\.value)).count == 1 && frozen.allSatisfy(\.valid))
        try sim.setSensorFault(id: "PT-2500", fault: .none)
        var healed = [Reading]()
        sim.advance(toTimeS: 12) { healed += $0.filter { $0.sensorId == "PT-2500" } }
        #expect(Set(healed.map(\.value)).count > 1)
        #expect(throws: TwinError.unknownSensor("nope")) { try sim.setSensorFault(id: "nope", fault: .dropout) }
    }

    @Test func leaksInjectedListedAndCleared() throws {
        let scenario = try EmbeddedScenarios.load("water-main-leak")
        var sim = try Simulation(scenario: scenario, seed: 0)
        // The scenario's own leak is scheduled at 20 s on line "main" at 4.2 km (pipe M2, 1.2 km).
        let planned = try #require(sim.leaks().first)
        #expect(planned.pipeId == "M2" && planned.state == .scheduled && planned.source == "scenario")
        #expect(abs(planned.positionM - 1200) <= 10 && planned.chainageM.map { abs($0 - 4200) <= 10 } == true)
        let leak = try sim.injectLeak(
            LeakRequest(
                location: .pipe(id: "M1", positionM: 1000),
                size: .fractionOfNominalFlow(0.02), startS: 2, rampS: 1))
        #expect(leak.state == .scheduled && leak.sizeFraction == 0.02)
        sim.advance(toTimeS: 10)
        let active = try #require(sim.leaks().first { $0.id == leak.id })
        #expect(active.state == .active)
        // The size was resolved at injection pressure; the hole then drains the line a
        // little, so the flow sits slightly under 2 % of nominal (within 10 %).
        let nominal = sim.topology.pipes.first { $0.id == "M1" }!.nominalFlow
        #expect(active.currentFlow > 0.018 * nominal && active.currentFlow < 0.0201 * nominal, "\(active.currentFlow)")
        let cleared = try sim.clearLeak(id: leak.id)
        #expect(cleared.state == .cleared)
        sim.advance(toTimeS: 11)
        #expect(sim.leaks().allSatisfy { $0.id != leak.id })
        #expect(sim.leaks(includeCleared: true).contains { $0.id == leak.id && $0.currentFlow == 0 })
        #expect(throws: TwinError.self) {
            try sim.injectLeak(LeakRequest(location: .pipe(id: "M1", positionM: 3500), size: .effectiveAreaM2(0.001)))
        }
        #expect(throws: TwinError.unknownLeak("L99")) { try sim.clearLeak(id: "L99") }
    }

    @Test func topologyDescribesTheNetwork() throws {
        let sim = try Simulation(scenario: EmbeddedScenarios.load("absheron"))
        let t = sim.topology
        #expect(t.isGas)
        #expect(Set(t.stations.map(\.name)) == ["Sumqayit", "Mardakan", "Turkan"])
        #expect(t.lines.first?.pipeIds == ["T1", "T2", "T3"])
        #expect(t.pipes.first { $0.id == "T2" }?.chainageStartM == 10_250)
        #expect(t.sensors.contains { $0.id == "SUM-FT" && $0.unit == "Sm3/h" && $0.stationId == "SUM" })
        #expect(t.nodes.first { $0.id == "SRC" }?.kind == "source")
    }

    @Test func autopilotIsReproducibleAndFollowsRisk() throws {
        var scenario = try EmbeddedScenarios.load("absheron")
        scenario.sensors = []
        scenario.autopilot.enabled = true
        scenario.autopilot.leaksPerDay = 200
        scenario.autopilot.durationMinS = 300
        scenario.autopilot.durationMaxS = 600
        scenario.autopilot.maxConcurrent = 2
        func incidents(seed: UInt64) throws -> [LeakInfo] {
            var sim = try Simulation(scenario: scenario, seed: seed)
            sim.advance(toTimeS: 3 * 3600)
            return sim.leaks(includeCleared: true)
        }
        let a = try incidents(seed: 11), b = try incidents(seed: 11), c = try incidents(seed: 12)
        #expect(a.count >= 5)
        #expect(a == b)
        #expect(a != c)
        #expect(a.allSatisfy { $0.source == "autopilot" })
        #expect(a.contains { $0.state == .cleared })
        let config = AutopilotConfig()
        #expect(config.risk(atTimeS: 0) > config.risk(atTimeS: 10 * 3600))
        let sim = try Simulation(scenario: scenario)
        let weights = sim.pipeRiskWeights()
        let net = scenario.network
        let t2 = net.pipeIndex("T2")!, t3 = net.pipeIndex("T3")!
        // T2 touches Sumqayit (multiplier 2.5): its risk per metre is higher than T3's.
        #expect(weights[t2] / net.pipes[t2].lengthM > weights[t3] / net.pipes[t3].lengthM)
    }
}

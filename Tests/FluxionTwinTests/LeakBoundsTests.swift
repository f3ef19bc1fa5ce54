import FluxionScenario
import Testing

@testable import FluxionTwin

/// A leak the model cannot describe is refused before it is opened, and a state that breaks
/// down anyway is never served.
@Suite struct LeakBoundsTests {
    @Test func anOrificeLargerThanThePipeIsRefused() throws {
        var sim = try Simulation(scenario: try EmbeddedScenarios.load("absheron"), seed: 1)
        let pipe = sim.scenario.network.pipes.first { $0.id == "T2" }!
        #expect(throws: TwinError.self) {
            try sim.injectLeak(
                LeakRequest(location: .pipe(id: "T2", positionM: 12_000), size: .effectiveAreaM2(pipe.areaM2 * 1.01)))
        }
        do {
            try sim.injectLeak(LeakRequest(location: .pipe(id: "T2", positionM: 12_000), size: .effectiveAreaM2(10)))
        } catch {
            #expect("\(error)".contains("effective_area_m2 needs an orifice of 10.0 m², larger than the cross-section"))
        }
        #expect(sim.leaks(includeCleared: true).isEmpty)
    }

    @Test func aLeakThatDrivesThePressureBelowTheFloorIsRefused() throws {
        for (scenario, size) in [("absheron", 0.9), ("water-main-leak", 0.9)] {
            var sim = try Simulation(scenario: try EmbeddedScenarios.load(scenario), seed: 1)
            let pipe = sim.scenario.network.pipes[0]
            do {
                let leak = try sim.injectLeak(
                    LeakRequest(
                        location: .pipe(id: pipe.id, positionM: pipe.lengthM / 2),
                        size: .effectiveAreaM2(pipe.areaM2 * size)))
                Issue.record("\(scenario): accepted \(leak)")
            } catch {
                #expect("\(error)".contains("is too large"), "\(error)")
            }
        }
    }

    @Test func aNonFiniteStateIsRestartedNotServed() throws {
        var sim = try Simulation(scenario: try EmbeddedScenarios.load("water-main-leak"), seed: 1)
        sim.advance(toTimeS: 5)
        let leak = try sim.injectLeak(
            LeakRequest(location: .pipe(id: "B1", positionM: 500), size: .fractionOfNominalFlow(0.05)))
        // A fault the checks cannot foresee: one cell's pressure becomes NaN.
        sim.solver.p[3] = .nan
        var readings: [Reading] = []
        sim.advance(toTimeS: 60) { readings += $0 }
        #expect(sim.instabilities.count == 1)
        #expect(sim.leaks(includeCleared: true).first { $0.id == leak.id }?.state == .cleared)
        #expect(sim.solver.isFinite)
        #expect(readings.allSatisfy { !$0.valid || $0.value.isFinite })
        #expect(readings.suffix(20).allSatisfy { $0.valid && $0.value.isFinite })
    }
}

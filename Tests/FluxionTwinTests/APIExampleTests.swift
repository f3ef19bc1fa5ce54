import FluxionScenario
import FluxionTwin
import Testing

/// The usage example of docs/PHYSICS.md ("Driving the twin"), compiled and run.
@Test func documentedAPIExampleRuns() throws {
    let scenario = try ScenarioLoader.load(fileOrName: "absheron")
    var sim = try Simulation(scenario: scenario, seed: 42)
    let topology = sim.topology
    let leak = try sim.injectLeak(
        LeakRequest(
            location: .line(id: "trunk", chainageM: 30_000),
            size: .fractionOfNominalFlow(0.02), startS: nil, rampS: 30))
    #expect(leak.pipeId == "T2" && abs(leak.positionM - 19_750) <= 125 && topology.pipes.count == 6)
    let readings: [Reading] = sim.step()
    #expect(readings.isEmpty)  // nothing is due after one 0.68 s step at ≤ 1 Hz
    var batches = 0
    sim.advance(toTimeS: 600) { _ in batches += 1 }
    try sim.setSensorFault(id: "SUM-PT", fault: .freeze)
    let open = try #require(sim.leaks(includeCleared: true).first { $0.id == leak.id })
    #expect(open.state == .active && open.currentFlow > 0)
    let cleared = try sim.clearLeak(id: leak.id)
    #expect(cleared.state == .cleared)
    sim.setAutopilot(enabled: true)
    #expect(sim.autopilotConfig.enabled && sim.timeS >= 600 && batches > 800)
}

// bench-moc: MOC solver throughput (node-updates per second on one core), the
// TSNet reference case's wall time, and the default scenario's speed against real
// time. Prints the figures and still checks the results (finite state, mass balance,
// agreement with TSNet when the reference data is beside the checkout).
//
//     swift build -c release --product bench-moc && .build/release/bench-moc
import FluxionScenario
import FluxionTwin
import Foundation

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func check(_ ok: Bool, _ message: @autoclosure () -> String) {
    if !ok {
        FileHandle.standardError.write(Data("bench-moc: CHECK FAILED: \(message())\n".utf8))
        exit(1)
    }
}

// 1. Kernel throughput: a 10 km liquid line of 20 pipes × 500 reaches = 10,000 reaches; gas with
// either momentum equation (docs/PHYSICS.md, "Gas momentum equation"). Returns ns per node-update.
@discardableResult
func kernelThroughput(fluidIsGas: Bool, momentum: GasMomentum = .noConvection) throws -> Double {
    let pipes = 20, reachesPerPipe = 500, lengthM = 500.0
    var nodes = [Node]()
    var list = [FluxionTwin.Pipe]()
    let wave = fluidIsGas ? 368.0 : 1000.0
    for i in 0...pipes {
        let boundary: BoundaryCondition
        if i == 0 {
            boundary = fluidIsGas ? .pressureSource(pressurePa: 600_000) : .reservoir(headM: 150)
        } else if i == pipes {
            boundary = .valve(
                Valve(
                    law: .prescribedFlow(openFlow: fluidIsGas ? 30_000 : 0.15),
                    closure: .rule(durationS: 2, startS: 1, finalOpenFraction: 0.2, exponent: 1)))
        } else {
            boundary = .junction
        }
        nodes.append(Node(id: "N\(i)", boundary: boundary, xM: Double(i) * lengthM))
        if i > 0 {
            list.append(
                FluxionTwin.Pipe(
                    id: "P\(i)", from: "N\(i - 1)", to: "N\(i)", lengthM: lengthM, diameterM: 0.4,
                    friction: .darcy(0.018), waveSpeed: .given(wave)))
        }
    }
    let fluid: Fluid = fluidIsGas ? .gas(Gas(momentum: momentum)) : .liquid(.water)
    var solver = try TransientSolver(
        network: Network(fluid: fluid, nodes: nodes, pipes: list),
        timeStepS: lengthM / Double(reachesPerPipe) / wave)
    let cells = solver.grid.totalReaches
    check(cells == pipes * reachesPerPipe, "grid has \(cells) reaches")
    let stored0 = solver.storedAmount
    for _ in 0..<200 { solver.step() }  // warm up
    let steps = 20_000
    let t0 = now()
    for _ in 0..<steps { solver.step() }
    let wall = now() - t0
    let rate = Double(cells) * Double(steps) / wall
    check(solver.isFinite, "non-finite state")
    let inflow = solver.cumulativeSourceInflow
    let residual =
        inflow - solver.cumulativeDeliveryOutflow - solver.cumulativeLeakOutflow - (solver.storedAmount - stored0)
    check(abs(residual) <= 1e-9 * inflow, "mass balance residual \(residual) of \(inflow)")
    print(
        String(
            format:
                "%@ kernel: %d reaches × %d steps in %.3f s = %.3g node-updates/s (%.2f ns/node), mass residual %.1e",
            fluidIsGas ? (momentum == .noConvection ? "gas   " : "gas (isothermal_euler)") : "liquid", cells, steps,
            wall, rate, 1e9 / rate, abs(residual) / inflow))
    return 1e9 / rate
}

// 2. The TSNet reference case (reservoir–pipe–valve, 10 s, Δt = 1/240 s, 200 reaches).
func tsnetCase() throws {
    let scenario = try EmbeddedScenarios.load("tsnet-valve-closure")
    var best = Double.infinity
    var valve = [Double]()
    for _ in 0..<5 {
        let t0 = now()
        var sim = try Simulation(scenario: scenario, seed: 0)
        var heads = [sim.solver.nodePotential(2)]
        while sim.timeS + 0.5 * sim.timeStepS < 10 {
            _ = sim.step()
            heads.append(sim.solver.nodePotential(2))
        }
        best = min(best, now() - t0)
        valve = heads
    }
    check(valve.allSatisfy(\.isFinite), "non-finite head")
    // The solver alone (no sensors), best of 5.
    var solverOnly = Double.infinity
    for _ in 0..<5 {
        let t0 = now()
        var solver = try TransientSolver(network: scenario.network, timeStepS: scenario.solver.timeStepS)
        for _ in 0..<2400 { solver.step() }
        solverOnly = min(solverOnly, now() - t0)
        check(solver.isFinite, "non-finite solver state")
    }
    var line = String(
        format:
            "tsnet-valve-closure: 10 s simulated in %.4f s wall with 4 sensors at 240 Hz, %.4f s solver only (TSNet 0.3.1: ~2.2 s; %.0f× / %.0f× faster)",
        best, solverOnly, 2.2 / best, 2.2 / solverOnly)
    let ref = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../../shared/reference/tsnet-valve-closure/valve_closure_heads.csv").standardized
    if let text = try? String(contentsOf: ref, encoding: .utf8) {
        let rows = text.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map { Double($0)! } }
        let surge = rows.map { $0[1] }.max()! - rows[0][1]
        check(rows.count == valve.count, "\(rows.count) reference rows, \(valve.count) computed")
        let rms = (zip(rows, valve).reduce(0) { $0 + ($1.0[1] - $1.1) * ($1.0[1] - $1.1) } / Double(rows.count))
            .squareRoot()
        check(rms <= 0.01 * surge, "valve RMS \(rms) m > 1 % of surge")
        line += String(
            format: ", valve RMS vs TSNet %.3f m = %.3f %% of the %.1f m surge", rms, 100 * rms / surge, surge)
    }
    print(line)
}

// 3. The default scenario for a simulated day, sensors sampled, no output; optionally with the
// isothermal Euler momentum equation. Returns the wall time, s.
@discardableResult
func absheronDay(momentum: GasMomentum = .noConvection) throws -> Double {
    var scenario = try EmbeddedScenarios.load("absheron")
    if case .gas(var g) = scenario.network.fluid {
        g.momentum = momentum
        scenario.network.fluid = .gas(g)
    }
    let t0 = now()
    var sim = try Simulation(scenario: scenario, seed: 1)
    var readings = 0
    sim.advance(toTimeS: 86_400) { readings += $0.count }
    let wall = now() - t0
    check(sim.solver.isFinite, "absheron non-finite")
    print(
        String(
            format:
                "absheron%@: 86400 s simulated in %.2f s wall = %.0f× real time (%d reaches, Δt %.3f s, %d readings)",
            momentum == .noConvection ? "" : " (isothermal_euler)", wall, 86_400 / wall,
            sim.solver.grid.totalReaches, sim.timeStepS, readings))
    return wall
}

do {
    try kernelThroughput(fluidIsGas: false)
    let gasNs = try kernelThroughput(fluidIsGas: true)
    let eulerNs = try kernelThroughput(fluidIsGas: true, momentum: .isothermalEuler)
    print(String(format: "gas momentum: isothermal_euler / no_convection kernel cost %.2f×", eulerNs / gasNs))
    try tsnetCase()
    let dayWall = try absheronDay()
    let eulerDayWall = try absheronDay(momentum: .isothermalEuler)
    print(String(format: "gas momentum: isothermal_euler / no_convection absheron day %.2f×", eulerDayWall / dayWall))
} catch {
    FileHandle.standardError.write(Data("bench-moc: \(error)\n".utf8))
    exit(1)
}

import Foundation
import Testing

@testable import FluxionTwin

/// Natural-gas physics against closed forms.
@Suite struct GasValidationTests {
    static let gas = Networks.naturalGas
    static var zrt: Double { gas.compressibility * gas.specificGasConstantJKgK * gas.referenceTemperatureK }

    // Steady isothermal flow against the general gas-flow equation
    //   p1² − p2² = f·Z·R·T·L·ṁ²/(D·A²)
    // (horizontal pipe, kinetic-energy term neglected), f by Colebrook at Re = 4ṁ/(π·D·μ).
    // Tolerance 0.5 % (the issue's): the discrete steady state follows p·dp/dx with
    // a first-order error of order (Δp/p)/N per reach, well below that on 100 reaches.
    @Test func steadyFlowFollowsGeneralGasFlowEquation() throws {
        let l = 20_000.0, d = 0.5, q = 40_000.0
        let c = Self.zrt.squareRoot()
        let net = Networks.gasLine(sourcePa: 600_000, lengthM: l, diameterM: d, flowSm3h: q)
        var solver = try TransientSolver(network: net, maxReachLengthM: l / 100)
        #expect(abs(solver.grid.waveSpeedsMS[0] - c) / c < 1e-12)  // no adjustment on this grid
        while solver.timeS < 900 { solver.step() }  // let the initial profile settle
        let m = Self.gas.massFlowKgS(standardCubicMetresPerHour: q)
        let area = Double.pi * d * d / 4
        let re = 4 * m / (Double.pi * d * Self.gas.dynamicViscosityPaS)
        let f = LiquidValidationTests.colebrook(relativeRoughness: 2e-5 / d, reynolds: re)
        let expected = f * Self.zrt * l * m * m / (d * area * area)
        let p1 = solver.nodePotential(0), p2 = solver.nodePotential(1)
        let got = p1 * p1 - p2 * p2
        #expect(abs(got - expected) / expected < 0.005, "p1²−p2² \(got) vs \(expected) Pa²")
        // And the delivered flow is the demand.
        #expect(abs(solver.endFlows(pipe: 0).end - m) / m < 1e-9)
    }

    // A pressure wave travels at √(Z·R·T): a leak opening at once in the middle of a
    // line reaches sensors at d/c. Tolerance: one time step (the leak sits on a grid
    // face and the sensors on cell centres, half a reach away).
    @Test func pressureWaveTravelsAtIsothermalSoundSpeed() throws {
        let l = 30_000.0
        let c = Self.zrt.squareRoot()
        let net = Networks.gasLine(sourcePa: 500_000, lengthM: l, flowSm3h: 20_000)
        var solver = try TransientSolver(network: net, maxReachLengthM: 100)
        let (_, x) = solver.addLeak(pipe: 0, positionM: 15_000, dischargeAreaM2: 0.002, startS: 10, rampS: 0)
        let sensors = [5_050.0, 24_950.0]
        let before = sensors.map { solver.probe(pipe: 0, positionM: $0).potential }
        var arrival = [Double?](repeating: nil, count: 2)
        while solver.timeS < 60 {
            solver.step()
            for (i, s) in sensors.enumerated() where arrival[i] == nil {
                // 1 Pa: far above round-off, far below the front (≈ B·ṁ/2 ≈ 1.6 kPa).
                if before[i] - solver.probe(pipe: 0, positionM: s).potential > 1 { arrival[i] = solver.timeS }
            }
        }
        for (i, s) in sensors.enumerated() {
            let expected = 10 + abs(s - x) / c
            let t = try #require(arrival[i])
            #expect(abs(t - expected) <= solver.timeStepS + 1e-9, "sensor \(s) m: \(t) s vs \(expected) s")
        }
    }

    // Mass conservation with line pack: source inflow − deliveries − leak outflow −
    // Δ(line pack Σ A·Δx·p/c²) = 0. The scheme is conservative, so 1e-9 of the
    // inflow leaves room only for summation round-off.
    @Test func massBalanceIncludingLinePack() throws {
        let net = Network(
            fluid: .gas(Self.gas),
            nodes: [
                Node(id: "S", boundary: .pressureSource(pressurePa: 550_000)),
                Node(id: "J"),
                Node(
                    id: "A",
                    boundary: .demand(Demand(baseFlow: 15_000, profile: TimeProfile(points: [(0, 1), (600, 1.6)])))),
                Node(
                    id: "B",
                    boundary: .demand(Demand(baseFlow: 9_000, profile: TimeProfile(points: [(0, 1), (300, 0.2)])))),
            ],
            pipes: [
                Pipe(
                    id: "G1", from: "S", to: "J", lengthM: 12_000, diameterM: 0.6, friction: .darcy(0.011),
                    waveSpeed: .fromWall(youngModulusPa: 2e11, thicknessM: 0.01, restraintFactor: 1)),
                Pipe(
                    id: "G2", from: "J", to: "A", lengthM: 6_000, diameterM: 0.4,
                    friction: .roughness(meters: 3e-5, formula: .swameeJain), waveSpeed: .given(368)),
                Pipe(
                    id: "G3", from: "J", to: "B", lengthM: 4_000, diameterM: 0.3, friction: .darcy(0.013),
                    waveSpeed: .given(368)),
            ])
        var solver = try TransientSolver(network: net, maxReachLengthM: 200)
        _ = solver.addLeak(pipe: 0, positionM: 7_000, dischargeAreaM2: 0.003, startS: 60, rampS: 30)  // choked
        _ = solver.addLeak(pipe: 2, positionM: 4_000, dischargeAreaM2: 0.001, startS: 100, rampS: 0)  // at node B
        let pack0 = solver.storedAmount
        while solver.timeS < 900 { solver.step() }
        let inflow = solver.cumulativeSourceInflow, out = solver.cumulativeDeliveryOutflow
        let leak = solver.cumulativeLeakOutflow, pack = solver.storedAmount - pack0
        #expect(abs(pack) > 1e-3 * inflow)  // the line pack did change
        #expect(leak > 1e-3 * inflow)
        let residual = inflow - out - leak - pack
        #expect(abs(residual) <= 1e-9 * inflow, "residual \(residual) kg of \(inflow) kg")
    }

    /// Isentropic orifice written out independently of the library.
    static func orifice(cdA: Double, p: Double, pa: Double, gamma: Double) -> Double {
        let critical = pow(2 / (gamma + 1), gamma / (gamma - 1))
        if pa / p <= critical {
            return cdA * p * (gamma / zrt).squareRoot() * pow(2 / (gamma + 1), (gamma + 1) / (2 * (gamma - 1)))
        }
        let r = pa / p
        return cdA * p
            * (2 * gamma / ((gamma - 1) * zrt) * (pow(r, 2 / gamma) - pow(r, (gamma + 1) / gamma))).squareRoot()
    }

    // Leak outflow against the orifice equation, choked (line at 485 kPa: pa/p ≈ 0.21)
    // and subsonic (line at 150 kPa: pa/p ≈ 0.68, above the critical 0.54). The
    // leak sits at a junction whose pressure we read; tolerance 1e-9 relative: the
    // solver finds the junction pressure to machine precision.
    @Test(arguments: [(485_000.0, true), (150_000.0, false)])
    func leakFollowsOrificeEquation(sourcePa: Double, choked: Bool) throws {
        let net = Network(
            fluid: .gas(Self.gas),
            nodes: [
                Node(id: "S", boundary: .pressureSource(pressurePa: sourcePa)), Node(id: "J"),
                Node(id: "D", boundary: .demand(Demand(baseFlow: 2_000))),
            ],
            pipes: [
                Pipe(
                    id: "A", from: "S", to: "J", lengthM: 3_000, diameterM: 0.3, friction: .darcy(0.012),
                    waveSpeed: .given(368)),
                Pipe(
                    id: "B", from: "J", to: "D", lengthM: 3_000, diameterM: 0.3, friction: .darcy(0.012),
                    waveSpeed: .given(368)),
            ])
        var solver = try TransientSolver(network: net, maxReachLengthM: 100)
        let (key, _) = solver.addLeak(pipe: 1, positionM: 0, dischargeAreaM2: 0.0005, startS: 1, rampS: 0)
        while solver.timeS < 30 { solver.step() }
        let p = solver.nodePotential(1)
        let pa = Self.gas.ambientPressurePa
        let critical = pow(
            2 / (Self.gas.heatCapacityRatio + 1), Self.gas.heatCapacityRatio / (Self.gas.heatCapacityRatio - 1))
        #expect((pa / p <= critical) == choked, "regime: pa/p = \(pa / p)")
        let expected = Self.orifice(cdA: 0.0005, p: p, pa: pa, gamma: Self.gas.heatCapacityRatio)
        let got = solver.leakOutflow(key: key)
        #expect(abs(got - expected) / expected < 1e-9, "leak \(got) kg/s vs orifice \(expected) kg/s at \(p) Pa")
    }
}

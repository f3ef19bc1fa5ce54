import Foundation
import Testing

@testable import FluxionTwin

/// Building blocks: friction factors, wave speeds, profiles, valves, dead ends, RNG.
@Suite struct ComponentTests {
    // Swamee–Jain approximates Colebrook within about 1 % in the core of its validity
    // range and up to ~3 % at its edges (Re 5e3 with rough walls): bound 3 %.
    // Laminar flow is 64/Re for both.
    @Test func frictionCorrelationsAgree() {
        for re in [5e3, 1e4, 1e5, 1e6, 1e7, 1e8] {
            for rel in [1e-6, 1e-4, 1e-3, 1e-2] {
                let c = FrictionFactor.colebrook(roughnessM: rel, diameterM: 1, reynolds: re)
                let s = FrictionFactor.swameeJain(roughnessM: rel, diameterM: 1, reynolds: re)
                #expect(abs(c - LiquidValidationTests.colebrook(relativeRoughness: rel, reynolds: re)) / c < 1e-9)
                #expect(abs(s - c) / c < 0.03, "Re \(re), ε/D \(rel): SJ \(s) vs CW \(c)")
            }
        }
        #expect(FrictionFactor.colebrook(roughnessM: 1e-4, diameterM: 1, reynolds: 1000) == 0.064)
    }

    // Korteweg: a = √(K/ρ / (1 + c1·K·D/(E·e))); steel DN500, 8 mm wall, water ≈ 1,150 m/s
    // (textbook range 1,000–1,300 m/s for steel mains). Exact formula check to 1e-12.
    @Test func kortewegWaveSpeed() {
        let water = Liquid.water
        let pipe = Pipe(
            id: "p", from: "a", to: "b", lengthM: 1, diameterM: 0.5, friction: .darcy(0.02),
            waveSpeed: .fromWall(youngModulusPa: 2.07e11, thicknessM: 0.008, restraintFactor: 1))
        let a = pipe.waveSpeedMS(fluid: .liquid(water))
        let expected =
            (water.bulkModulusPa / water.densityKgM3
            / (1 + water.bulkModulusPa * 0.5 / (2.07e11 * 0.008))).squareRoot()
        #expect(abs(a - expected) / expected < 1e-12)
        #expect(a > 1000 && a < 1300)
        #expect(abs(pipe.waveSpeedMS(fluid: .gas(Networks.naturalGas)) - Networks.naturalGas.waveSpeedMS) < 1e-12)
    }

    @Test func profilesInterpolateAndWrap() {
        let p = TimeProfile(points: [(0, 1), (10, 3)])
        #expect(p.value(atTimeS: -5) == 1 && p.value(atTimeS: 5) == 2 && p.value(atTimeS: 50) == 3)
        let day = TimeProfile.hourly((0..<24).map(Double.init))
        #expect(day.value(atTimeS: 5.5 * 3600) == 5.5)
        #expect(abs(day.value(atTimeS: 23.5 * 3600) - 11.5) < 1e-12)  // wraps 23 → 0
        #expect(day.value(atTimeS: 86_400 + 2 * 3600) == 2)
        let rule = ValveClosure.rule(durationS: 2, startS: 1, finalOpenFraction: 0.2, exponent: 2)
        #expect(rule.openFraction(atTimeS: 1) == 1 && rule.openFraction(atTimeS: 3) == 0.2)
        #expect(abs(rule.openFraction(atTimeS: 2) - (1 - 0.8 * 0.25)) < 1e-15)
    }

    // Orifice valve: the steady flow is Cd·A·√(2g·(H − z − h_down)) (to the steady
    // solver's precision, 1e-9), and once closed to 25 % the flow settles at the
    // orifice law for the new head (1e-6 after the surge has decayed through friction).
    @Test func orificeValveFollowsOrificeLaw() throws {
        let cdA = 0.02, g = Liquid.water.gravityMS2
        let net = Network(
            fluid: .liquid(.water),
            nodes: [
                Node(id: "R", boundary: .reservoir(headM: 60)),
                Node(
                    id: "V",
                    boundary: .valve(
                        Valve(
                            law: .orifice(dischargeAreaM2: cdA, downstreamHeadM: 5),
                            closure: .rule(durationS: 2, startS: 1, finalOpenFraction: 0.25, exponent: 1))),
                    elevationM: 3),
            ],
            pipes: [
                Pipe(
                    id: "P", from: "R", to: "V", lengthM: 500, diameterM: 0.3, friction: .darcy(0.05),
                    waveSpeed: .given(1000))
            ])
        var solver = try TransientSolver(network: net, timeStepS: 0.005)
        func check(_ tau: Double, _ tol: Double) {
            let h = solver.nodePotential(1)
            let q = solver.endFlows(pipe: 0).end
            let law = tau * cdA * (2 * g * (h - 3 - 5)).squareRoot()
            #expect(abs(q - law) / law < tol, "τ \(tau): flow \(q) vs orifice \(law)")
        }
        check(1, 1e-9)
        let q0 = solver.endFlows(pipe: 0).end
        while solver.timeS < 200 { solver.step() }
        check(0.25, 1e-6)
        // A quarter of the area at a higher head: about 0.58 of the open flow.
        #expect(solver.endFlows(pipe: 0).end < 0.7 * q0)
    }

    // A dead end carries no flow, and its pressure follows the junction it hangs on.
    @Test func deadEndHasNoFlow() throws {
        let net = Network(
            fluid: .liquid(.water),
            nodes: [
                Node(id: "R", boundary: .reservoir(headM: 40)), Node(id: "J"),
                Node(id: "D", boundary: .demand(Demand(baseFlow: 0.03))), Node(id: "E", boundary: .deadEnd),
            ],
            pipes: [
                Pipe(
                    id: "A", from: "R", to: "J", lengthM: 400, diameterM: 0.25, friction: .darcy(0.02),
                    waveSpeed: .given(1000)),
                Pipe(
                    id: "B", from: "J", to: "D", lengthM: 300, diameterM: 0.2, friction: .darcy(0.02),
                    waveSpeed: .given(1000)),
                Pipe(
                    id: "C", from: "J", to: "E", lengthM: 200, diameterM: 0.2, friction: .darcy(0.02),
                    waveSpeed: .given(1000)),
            ])
        var solver = try TransientSolver(network: net, timeStepS: 0.01)
        for _ in 0..<300 { solver.step() }
        #expect(solver.endFlows(pipe: 2).end == 0)
        #expect(abs(solver.nodePotential(3) - solver.nodePotential(1)) < 1e-9)
        #expect(throws: TwinError.self) {
            var bad = net
            bad.pipes.append(
                Pipe(
                    id: "X", from: "R", to: "E", lengthM: 100, diameterM: 0.2, friction: .darcy(0.02),
                    waveSpeed: .given(1000)))
            try bad.validate()
        }
    }

    // Rounding to whole reaches may change a wave speed only within the tolerance.
    @Test func waveSpeedAdjustmentIsBounded() throws {
        let net = Networks.reservoirPipeValve(lengthM: 1000, waveSpeed: 1000, darcy: 0.02, flow: 0.1, closure: .open)
        // 1000 m at 1000 m/s with Δt = 0.3 s: 3.33 → 3 reaches, a' = 1111 m/s (+11 %).
        let error = #expect(throws: TwinError.self) { _ = try Discretization(network: net, timeStepS: 0.3) }
        guard case let .waveSpeedAdjustmentTooLarge(pipe, change, tolerance)? = error else {
            Issue.record("expected waveSpeedAdjustmentTooLarge, got \(String(describing: error))")
            return
        }
        #expect(pipe == "P" && abs(change - 1.0 / 9) < 1e-12 && tolerance == 0.05)
        let grid = try Discretization(network: net, timeStepS: 0.3, waveSpeedTolerance: 0.2)
        #expect(grid.reaches == [3])
        let auto = try Discretization(network: net, maxReachLengthM: 7)
        #expect(auto.reaches[0] >= 143 && abs(auto.waveSpeedsMS[0] - 1000) / 1000 <= 0.05)
    }

    // The seeded generator: reproducible, independent streams, standard normals
    // (mean within 4σ/√n, variance within 3 %, for n = 100,000).
    @Test func seededRandomIsReproducibleAndNormal() {
        var a = SeededRandom(seed: 42, stream: 1), b = SeededRandom(seed: 42, stream: 1),
            c = SeededRandom(seed: 42, stream: 2)
        let xa = (0..<10).map { _ in a.next() }, xb = (0..<10).map { _ in b.next() },
            xc = (0..<10).map { _ in c.next() }
        #expect(xa == xb && xa != xc)
        var r = SeededRandom(seed: 7)
        let n = 100_000
        let z = (0..<n).map { _ in r.normal() }
        let mean = z.reduce(0, +) / Double(n)
        let variance = z.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1)
        #expect(abs(mean) < 4 / Double(n).squareRoot())
        #expect(abs(variance - 1) < 0.03)
    }
}

/// Leak timing: ramps, several leaks on one face, clearing.
@Suite struct LeakTimingTests {
    static func line() throws -> TransientSolver {
        let net = Networks.reservoirPipeValve(
            lengthM: 1000, diameterM: 0.4, waveSpeed: 1000, darcy: 0.02, flow: 0.1, closure: .open)
        return try TransientSolver(network: net, timeStepS: 0.01)
    }

    // The area opens linearly over the ramp; at a nearly unchanged head the outflow
    // follows the area, so halfway through the ramp it is about half (within 5 %:
    // the head falls a little as the leak grows).
    @Test func rampOpensLinearly() throws {
        var s = try Self.line()
        let (key, _) = s.addLeak(pipe: 0, positionM: 500, dischargeAreaM2: 0.001, startS: 1, rampS: 10)
        var flows = [Double: Double]()
        while s.timeS < 20 {
            s.step()
            for t in [0.5, 6.0, 11.0, 19.0] where abs(s.timeS - t) < 0.005 { flows[t] = s.leakOutflow(key: key) }
        }
        #expect(flows[0.5] == 0)
        let half = try #require(flows[6.0]), full = try #require(flows[19.0])
        #expect(abs(half / full - 0.5) < 0.05 * 0.5, "half ramp \(half), full \(full)")
        #expect(abs(try #require(flows[11.0]) - full) / full < 0.02)
    }

    // Two leaks on the same face share one head; their flows are in proportion to
    // their areas (1e-12) and clearing one leaves the other.
    @Test func twoLeaksOnOneFace() throws {
        var s = try Self.line()
        let (a, xa) = s.addLeak(pipe: 0, positionM: 300, dischargeAreaM2: 0.001, startS: 0, rampS: 0)
        let (b, xb) = s.addLeak(pipe: 0, positionM: 301, dischargeAreaM2: 0.003, startS: 0, rampS: 0)
        #expect(xa == xb)
        for _ in 0..<100 { s.step() }
        #expect(abs(s.leakOutflow(key: b) / s.leakOutflow(key: a) - 3) < 1e-12)
        s.clearLeak(key: a, atS: s.timeS)
        s.step()
        #expect(s.leakOutflow(key: a) == 0 && s.leakOutflow(key: b) > 0)
    }
}

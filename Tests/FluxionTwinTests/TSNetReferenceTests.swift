import Foundation
import Testing

@testable import FluxionTwin

/// The reservoir–pipe–valve case of shared/reference/tsnet-valve-closure against TSNet 0.3.1.
@Suite struct TSNetReferenceTests {
    /// Runs the line with TSNet's grid (Δt = 1/240 s, Δx = 5 m) and returns the
    /// valve and midpoint heads at every step, t = 0 … 10 s.
    static func run(closure: ValveClosure) throws -> (valve: [Double], mid: [Double]) {
        var solver = try TransientSolver(network: Networks.tsnetLine(closure: closure), timeStepS: 1.0 / 240)
        var valve = [solver.nodePotential(2)], mid = [solver.nodePotential(1)]
        for _ in 0..<2400 {
            solver.step()
            valve.append(solver.nodePotential(2))
            mid.append(solver.nodePotential(1))
        }
        return (valve, mid)
    }

    static func rms(_ a: [Double], _ b: [Double]) -> Double {
        (zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(a.count)).squareRoot()
    }

    // Tolerance: RMS difference ≤ 1 % of the surge (the issue's criterion). Both
    // codes use first-order MOC at Courant 1 on the same grid; ours puts friction
    // in the momentum sink (conservative form) where TSNet splits it between
    // head and flow, a second-order difference well inside 1 %.
    @Test func linearClosureMatchesTSNet() throws {
        let ref = try ReferenceData.csv("tsnet-valve-closure/valve_closure_heads.csv")
        let ours = try Self.run(closure: .rule(durationS: 0.5, startS: 1.0, finalOpenFraction: 0, exponent: 1))
        let surge = ref["head_valve_m"]!.max()! - ref["head_valve_m"]![0]
        let valveRMS = Self.rms(ours.valve, ref["head_valve_m"]!)
        let midRMS = Self.rms(ours.mid, ref["head_mid_m"]!)
        #expect(ref["t_s"]!.count == ours.valve.count)
        #expect(valveRMS <= 0.01 * surge, "valve RMS \(valveRMS) m vs surge \(surge) m")
        #expect(midRMS <= 0.01 * surge, "midpoint RMS \(midRMS) m vs surge \(surge) m")
    }

    // Instant closure has a discontinuous front; the same 1 % of surge still holds
    // because both codes place the front on the same grid step.
    @Test func instantClosureMatchesTSNet() throws {
        let ref = try ReferenceData.csv("tsnet-valve-closure/valve_closure_instant_heads.csv")
        let ours = try Self.run(closure: .rule(durationS: 0, startS: 1.0, finalOpenFraction: 0, exponent: 1))
        let surge = ref["head_valve_m"]!.max()! - ref["head_valve_m"]![0]
        let valveRMS = Self.rms(ours.valve, ref["head_valve_m"]!)
        let midRMS = Self.rms(ours.mid, ref["head_mid_m"]!)
        #expect(valveRMS <= 0.01 * surge, "valve RMS \(valveRMS) m vs surge \(surge) m")
        #expect(midRMS <= 0.01 * surge, "midpoint RMS \(midRMS) m vs surge \(surge) m")
    }
}

/// Where the twin and TSNet differ at a sharp front with friction, and which is closer to a
/// refined-grid solution of the same equations.
@Suite struct TSNetFrontFrictionTests {
    // Instant closure with friction: the twin and TSNet differ most on single samples at the
    // front (not without friction: the fronts sit on the same steps). The judge is the twin's
    // own model on a grid 8 times finer (Δt = 1/1920 s, Δx = 0.625 m), sampled at the same
    // instants. Measured 2026-12-07: on the sample where they differ most (t = 9.3375 s, the
    // front's first level at the valve) the twin is 9.53 m off the refined grid and TSNet
    // 0.05 m; RMS over the run 0.29 m against 0.008 m. So on this grid TSNet's integration is
    // the closer one, and the twin has a one-sample spike at a front with friction (docs/PHYSICS.md,
    // Friction integration). Recorded as a known issue (issue 19): the test fails, asking for
    // this note to go, once the twin is at least as close as TSNet on that sample and in RMS.
    @Test func singleSampleFrontDifferencesAgainstARefinedGrid() throws {
        let ref = try ReferenceData.csv("tsnet-valve-closure/valve_closure_instant_heads.csv")
        let closure = ValveClosure.rule(durationS: 0, startS: 1.0, finalOpenFraction: 0, exponent: 1)
        func run(refine: Int) throws -> [Double] {
            var s = try TransientSolver(
                network: Networks.tsnetLine(closure: closure), timeStepS: 1.0 / 240 / Double(refine))
            var out = [s.nodePotential(2)]
            for n in 1...(2400 * refine) {
                s.step()
                if n % refine == 0 { out.append(s.nodePotential(2)) }
            }
            return out
        }
        let ours = try run(refine: 1), fine = try run(refine: 8), tsnet = ref["head_valve_m"]!
        let worst = ours.indices.max { abs(ours[$0] - tsnet[$0]) < abs(ours[$1] - tsnet[$1]) }!
        let oursError = abs(ours[worst] - fine[worst]), tsnetError = abs(tsnet[worst] - fine[worst])
        let oursRMS = TSNetReferenceTests.rms(ours, fine), tsnetRMS = TSNetReferenceTests.rms(tsnet, fine)
        print(
            "TSNetFrontFriction: t = \(ref["t_s"]![worst]) s: twin \(ours[worst]) m, TSNet \(tsnet[worst]) m, refined \(fine[worst]) m; RMS vs refined: twin \(oursRMS) m, TSNet \(tsnetRMS) m"
        )
        // The difference the issue reports is there (several metres on one sample).
        #expect(abs(ours[worst] - tsnet[worst]) > 1)
        withKnownIssue("issue 19: one-sample spike at a front with friction; TSNet is closer to the refined grid") {
            #expect(
                oursError <= tsnetError,
                "t = \(ref["t_s"]![worst]) s: twin off by \(oursError) m, TSNet by \(tsnetError) m")
            #expect(oursRMS <= tsnetRMS)
        }
    }
}

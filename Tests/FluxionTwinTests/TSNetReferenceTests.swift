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

    // Tolerance: RMS difference ≤ 1 % of the surge (the criterion). Both
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
    // Instant closure with friction. The judge is the twin's own model on a grid 8 times finer
    // (Δt = 1/1920 s, Δx = 0.625 m), sampled at the same instants; the refined grid is
    // converged for this purpose (the old explicit and the trapezoidal friction give refined
    // solutions 0.0008 m apart, two orders below what is compared here). Tolerance: at least as
    // close to the refined grid as TSNet — on the sample the issue reported (t = 9.3375 s, the
    // front's first level at the valve, 10 passes of the front after the closure), on the worst
    // sample of the run and in RMS over the 10 s. With the old friction (the cell's previous
    // value as the sink on the arriving half cell) the twin was 9.53 m off there, RMS 0.29 m,
    // against TSNet's 0.05 m and 0.008 m: a spike riding behind the front and growing with each
    // pass (docs/PHYSICS.md, Friction integration). Fails without the trapezoidal friction.
    @Test func frontWithFrictionIsAsCloseToARefinedGridAsTSNet() throws {
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
        let reported = try #require(ref["t_s"]!.firstIndex { abs($0 - 9.3375) < 1e-9 })
        let oursAt = abs(ours[reported] - fine[reported]), tsnetAt = abs(tsnet[reported] - fine[reported])
        let oursMax = zip(ours, fine).map { abs($0 - $1) }.max()!
        let tsnetMax = zip(tsnet, fine).map { abs($0 - $1) }.max()!
        let oursRMS = TSNetReferenceTests.rms(ours, fine), tsnetRMS = TSNetReferenceTests.rms(tsnet, fine)
        print(
            "TSNetFrontFriction: t = 9.3375 s: twin \(ours[reported]) m, TSNet \(tsnet[reported]) m, refined \(fine[reported]) m; worst |x − refined| over the run: twin \(oursMax) m, TSNet \(tsnetMax) m; RMS: twin \(oursRMS) m, TSNet \(tsnetRMS) m"
        )
        #expect(oursAt <= tsnetAt, "t = 9.3375 s: twin off by \(oursAt) m, TSNet by \(tsnetAt) m")
        #expect(oursMax <= tsnetMax, "worst sample: twin off by \(oursMax) m, TSNet by \(tsnetMax) m")
        #expect(oursRMS <= tsnetRMS, "RMS: twin \(oursRMS) m, TSNet \(tsnetRMS) m")
    }
}

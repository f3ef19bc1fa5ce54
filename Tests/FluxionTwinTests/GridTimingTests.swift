import Foundation
import Testing

@testable import FluxionTwin

/// When events act and where sensors read: one timing rule for every timed event, sensors on
/// the time-consistent grid points (faces), flow on the right side of a leak.
@Suite struct GridTimingTests {
    /// First step (index of the time level) at which `changed` holds, stepping up to `steps`.
    static func firstStep(_ solver: inout TransientSolver, steps: Int, _ changed: (TransientSolver) -> Bool) -> Int? {
        for n in 1...steps {
            solver.step()
            if changed(solver) { return n }
        }
        return nil
    }

    // TSNet starts a valve closure at the first step with t > t_s; a leak given the same
    // start must open on that same step (EventTiming). On the 1/240 s grid, t_s = 1.0 s is a
    // time level (240), so both begin at level 241. Exact: step indices, no tolerance.
    @Test func leakAndClosureGivenTheSameStartBeginOnTheSameStep() throws {
        let dt = 1.0 / 240
        var closing = try TransientSolver(
            network: Networks.tsnetLine(closure: .rule(durationS: 0, startS: 1.0, finalOpenFraction: 0, exponent: 1)),
            timeStepS: dt)
        let closed = Self.firstStep(&closing, steps: 480) { $0.nodeExternalOutflow(2) < 0.2 - 1e-9 }
        var leaking = try TransientSolver(network: Networks.tsnetLine(closure: .open), timeStepS: dt)
        let (key, _) = leaking.addLeak(pipe: 1, positionM: 100, dischargeAreaM2: 0.001, startS: 1.0, rampS: 0)
        let opened = Self.firstStep(&leaking, steps: 480) { $0.leakOutflow(key: key) > 0 }
        #expect(closed == 241, "closure began at level \(String(describing: closed))")
        #expect(
            opened == closed,
            "leak opened at level \(String(describing: opened)), closure at \(String(describing: closed))")
    }

    // A sudden leak on the frictionless TSNet line (Δx = 5 m, a = 1200 m/s): its drop
    // B·Q_L/2 reaches a pressure sensor d metres away exactly d/a after the leak's first time
    // level, and in full. Frictionless and linear, the front is one clean step: nothing before
    // (1e-9 m, round-off) and the whole drop on the arrival level (1e-9 relative). Sensors at
    // 100 m and 400 m on P1 and 350 m on P2 sit on faces; the one asked at 402.5 m (a cell
    // centre) reads the face at 405 m and the topology says so.
    @Test func frontReachesInteriorSensorsAtXOverA() throws {
        let net = Networks.tsnetLine(closure: .open, darcy: 0)
        let positions: [(pipe: String, x: Double, global: Double)] = [
            ("P1", 100, 100), ("P1", 400, 400), ("P1", 402.5, 405), ("P2", 350, 850),
        ]
        let sensors = positions.enumerated().map { i, p in
            Sensor(id: "S\(i)", quantity: .head, location: .pipe(id: p.pipe, positionM: p.x), sampleRateHz: 240)
        }
        let scenario = Scenario(
            name: "front", network: net, sensors: sensors,
            leaks: [LeakRequest(location: .pipe(id: "P2", positionM: 100), size: .effectiveAreaM2(0.002), startS: 1.0)],
            solver: SolverOptions(timeStepS: 1.0 / 240))
        var sim = try Simulation(scenario: scenario)
        #expect(sim.topology.sensors.map(\.positionM) == [100, 400, 405, 350])
        let a = 1200.0, dt = sim.timeStepS, xLeak = 600.0
        let b = a / (9.8 * Double.pi * 0.25 * 0.25)
        var series = [[Double]](repeating: [], count: sensors.count)
        var openedAt: Int?, drop = 0.0
        for n in 1...480 {
            for r in sim.step() { series[r.sensorIndex].append(r.value) }
            if openedAt == nil, let f = sim.leaks().first?.currentFlow, f > 0 {
                openedAt = n
                drop = b * f / 2
            }
        }
        let n0 = try #require(openedAt)
        #expect(n0 == 241)
        for (i, p) in positions.enumerated() {
            let steps = Int((abs(p.global - xLeak) / (a * dt)).rounded())  // d/a in steps, exact on this grid
            let h0 = series[i][0], arrival = n0 + steps  // series[i][n − 1] is level n
            let before = h0 - series[i][arrival - 2], at = h0 - series[i][arrival - 1]
            #expect(abs(before) < 1e-9, "\(p.pipe)@\(p.x): \(before) m before the arrival level \(arrival)")
            #expect(abs(at - drop) / drop < 1e-9, "\(p.pipe)@\(p.x): \(at) m of \(drop) m at level \(arrival)")
        }
    }

    /// Time (s) at which `values` first crosses the midpoint between its first value and `final`,
    /// linear between samples.
    static func halfCrossing(times: [Double], values: [Double], final: Double) -> Double? {
        let mid = 0.5 * (values[0] + final)
        for i in 1..<values.count where (values[i - 1] - mid) * (values[i] - mid) <= 0 && values[i] != values[i - 1] {
            return times[i - 1] + (mid - values[i - 1]) / (values[i] - values[i - 1]) * (times[i] - times[i - 1])
        }
        return nil
    }

    // Gas: a delivery ramp (+30 % over 20 s at 60 s) on a 20 km DN500 line, read at 10 km
    // and at the delivery node on 250 m reaches (Δt 0.68 s) and on a refined grid of the
    // same equations (25 m, Δt 0.068 s). Without friction the scheme carries the wave
    // exactly on both grids, so the time the pressure crosses half its first drop must agree
    // to round-off (bound 1e-3·Δt): what is left to see is where the sensors read. Reading
    // the cells instead of the faces put the coarse response at 10 km Δt/2 (0.34 s) late.
    // (With friction: the next test.)
    @Test func gasResponseIsOnTimeOnCoarseGrids() throws {
        let coarse = try Self.gasRampCrossings(reachM: 250, friction: false)
        let fine = try Self.gasRampCrossings(reachM: 25, friction: false)
        #expect(abs(coarse.mid - fine.mid) <= 1e-3 * coarse.dt, "10 km: \(coarse.mid) s vs refined \(fine.mid) s")
        #expect(abs(coarse.end - fine.end) <= 1e-3 * coarse.dt, "delivery: \(coarse.end) s vs refined \(fine.end) s")
    }

    /// The ramp of the tests above on reaches of `reachM`: times (s) the pressure crosses half
    /// its first drop at 10 km and at the delivery node, the time step (s), and the two traces
    /// (Pa) at every level to 120 s. The end of the first drop is read at the same instant on
    /// every grid (linear between levels): with friction the pressure still falls after the
    /// ramp, so reading it at the first level after that instant would move the half level
    /// with the grid. `friction`: the pipe's Colebrook factor (roughness 2e-5 m), or none.
    static func gasRampCrossings(
        reachM: Double, friction: Bool
    ) throws -> (mid: Double, end: Double, dt: Double, midTrace: [Double], endTrace: [Double]) {
        var net = Networks.gasLine(sourcePa: 500_000, lengthM: 20_000, flowSm3h: 20_000)
        net.nodes[1].boundary = .demand(
            Demand(baseFlow: 20_000, profile: TimeProfile(points: [(0, 1), (60, 1), (80, 1.3)])))
        if !friction { net.pipes[0].friction = .darcy(0) }
        var solver = try TransientSolver(network: net, maxReachLengthM: reachM)
        var t = [0.0], mid = [solver.probe(pipe: 0, positionM: 10_000).potential]
        var end = [solver.nodePotential(1)]
        while solver.timeS < 120 {
            solver.step()
            t.append(solver.timeS)
            mid.append(solver.probe(pipe: 0, positionM: 10_000).potential)
            end.append(solver.nodePotential(1))
        }
        func at(_ time: Double, _ v: [Double]) -> Double {
            let i = t.firstIndex { $0 >= time }!
            return v[i - 1] + (time - t[i - 1]) / (t[i] - t[i - 1]) * (v[i] - v[i - 1])
        }
        // The first drop: the ramp's wave has reached the sensor and the source's
        // reflection (back at 10 km after 3 L/(2c) ≈ 82 s + 60 s) has not.
        let mEnd = at(60 + 20 + 10_000 / 367.0 + 5, mid), eEnd = at(85, end)
        return (
            try #require(Self.halfCrossing(times: t, values: mid, final: mEnd)),
            try #require(Self.halfCrossing(times: t, values: end, final: eEnd)), solver.timeStepS, mid, end
        )
    }

    // The same ramp with the pipe's friction (Colebrook, f = 0.0125), coarse (250 m, Δt
    // 0.68 s) against refined (25 m, every 10th level the same instant), so the coarse-grid
    // error is that of the friction integration alone. Measured 2026-12-07: with the explicit
    // sink (the cell's previous level on the arriving half cell) the half-drop crossings were
    // 0.23 s (0.33·Δt) early at 10 km and 0.06 s late at the delivery node, the traces up to
    // 11.9 and 35.7 Pa off the refined ones (0.45 % of the 7,878 Pa drop to 120 s); with the
    // trapezoidal friction 0.008 s, 0.002 s, 0.6 and 1.0 Pa. Tolerances: crossings within
    // 0.03·Δt (20 ms), traces within 0.1 % of the drop (7.9 Pa): a second-order error on this
    // grid, well below the first-order one.
    @Test func gasResponseWithFrictionIsOnTimeOnCoarseGrids() throws {
        let coarse = try Self.gasRampCrossings(reachM: 250, friction: true)
        let fine = try Self.gasRampCrossings(reachM: 25, friction: true)
        let drop = fine.endTrace[0] - fine.endTrace.min()!
        func worst(_ c: [Double], _ f: [Double]) -> Double {
            c.indices.filter { 10 * $0 < f.count }.map { abs(c[$0] - f[10 * $0]) }.max()!
        }
        let endWorst = worst(coarse.endTrace, fine.endTrace), midWorst = worst(coarse.midTrace, fine.midTrace)
        print(
            "GasFrictionTiming: coarse − refined crossings: 10 km \(coarse.mid - fine.mid) s, delivery \(coarse.end - fine.end) s (Δt \(coarse.dt) s); worst trace difference: delivery \(endWorst) Pa, 10 km \(midWorst) Pa, of a \(drop) Pa drop"
        )
        #expect(abs(coarse.mid - fine.mid) <= 0.03 * coarse.dt, "10 km: \(coarse.mid) s vs refined \(fine.mid) s")
        #expect(abs(coarse.end - fine.end) <= 0.03 * coarse.dt, "delivery: \(coarse.end) s vs refined \(fine.end) s")
        #expect(endWorst <= 1e-3 * drop, "delivery trace: \(endWorst) Pa off the refined grid")
        #expect(midWorst <= 1e-3 * drop, "10 km trace: \(midWorst) Pa off the refined grid")
    }

    // Flow sensors 10 m either side of a gas leak on 250 m reaches read the flows on their
    // own side of the leak's face, so their difference is the leak's outflow (to round-off
    // of the Sm³/h conversion: 1e-9 relative). Read between the cell centres either side,
    // they showed a mix of the two flows (about 8 % of the leak apart).
    @Test func flowSensorsEitherSideOfALeakReadTheirSide() throws {
        let net = Networks.gasLine(sourcePa: 500_000, lengthM: 20_000, flowSm3h: 20_000)
        let scenario = Scenario(
            name: "sides", network: net,
            sensors: [
                Sensor(id: "up", quantity: .flow, location: .pipe(id: "G", positionM: 9_990)),
                Sensor(id: "down", quantity: .flow, location: .pipe(id: "G", positionM: 10_010)),
            ],
            leaks: [
                LeakRequest(location: .pipe(id: "G", positionM: 10_000), size: .fractionOfNominalFlow(0.2), startS: 10)
            ],
            solver: SolverOptions(maxReachLengthM: 250))
        var sim = try Simulation(scenario: scenario)
        var last = [String: Double]()
        sim.advance(toTimeS: 600) { for r in $0 { last[r.sensorId] = r.value } }
        let leak = try #require(sim.leaks().first?.currentFlow)
        let difference = try #require(last["up"]) - (try #require(last["down"]))
        #expect(leak > 3_000)
        #expect(abs(difference - leak) <= 1e-9 * leak, "up − down \(difference) Sm³/h vs leak \(leak) Sm³/h")
    }
}

import Foundation
import Testing

@testable import FluxionTwin

/// Liquid transients against closed-form physics.
@Suite struct LiquidValidationTests {
    // Frictionless line, instant closure. Joukowsky: ΔH = a·V0/g. Tolerance 0.5 %:
    // with f = 0 and Courant 1 the scheme carries the front without numerical
    // diffusion, so only round-off remains; 0.5 % is the issue's bound.
    // Period 4L/a within one time step: the round trip of the front on the grid
    // is an integer number of steps.
    @Test func joukowskySurgeAndPeriod() throws {
        let l = 1000.0, a = 1000.0, q0 = 0.2, d = 0.5
        let net = Networks.reservoirPipeValve(
            lengthM: l, diameterM: d, waveSpeed: a, darcy: 0, flow: q0,
            closure: .rule(durationS: 0, startS: 0.5, finalOpenFraction: 0, exponent: 1))
        var solver = try TransientSolver(network: net, timeStepS: 0.01)
        let h0 = solver.nodePotential(1)
        let v0 = q0 / (Double.pi * d * d / 4)
        let joukowsky = a * v0 / 9.81
        var times = [Double](), heads = [Double]()
        while solver.timeS < 12 {
            solver.step()
            times.append(solver.timeS)
            heads.append(solver.nodePotential(1))
        }
        let surge = heads.max()! - h0
        #expect(abs(surge - joukowsky) / joukowsky < 0.005, "surge \(surge) m, Joukowsky \(joukowsky) m")
        // Up-crossings of the initial head give the period.
        var ups = [Double]()
        for i in 1..<heads.count where heads[i - 1] <= h0 + 1e-9 && heads[i] > h0 + 1e-9 { ups.append(times[i]) }
        #expect(ups.count >= 2)
        let period = ups[1] - ups[0]
        #expect(abs(period - 4 * l / a) <= solver.timeStepS + 1e-12, "period \(period) s vs \(4 * l / a) s")
    }

    /// Colebrook–White written out here, independent of the library's.
    static func colebrook(relativeRoughness e: Double, reynolds re: Double) -> Double {
        var x = 8.0
        for _ in 0..<100 { x = -2 * log10(e / 3.7 + 2.51 * x / re) }
        return 1 / (x * x)
    }

    // Steady head loss against Darcy–Weisbach hf = f·(L/D)·V²/(2g) with f from
    // Colebrook at the flow's Reynolds number. Tolerance 0.1 %: the discrete
    // steady state of the scheme reproduces Darcy–Weisbach exactly, so the only
    // errors are the steady-state solver's convergence and round-off.
    @Test func steadyHeadLossIsDarcyWeisbach() throws {
        let eps = 4.5e-5, d = 0.3, l = 2500.0, q = 0.12
        let net = Network(
            fluid: .liquid(.water),
            nodes: [
                Node(id: "R", boundary: .reservoir(headM: 120)),
                Node(id: "D", boundary: .demand(Demand(baseFlow: q))),
            ],
            pipes: [
                Pipe(
                    id: "P", from: "R", to: "D", lengthM: l, diameterM: d,
                    friction: .roughness(meters: eps, formula: .colebrook), waveSpeed: .given(1200))
            ])
        var solver = try TransientSolver(network: net, timeStepS: 0.02)
        for _ in 0..<500 { solver.step() }  // 10 s: the state must stay put
        let area = Double.pi * d * d / 4, v = q / area
        let f = Self.colebrook(relativeRoughness: eps / d, reynolds: v * d / Liquid.water.kinematicViscosityM2S)
        let expected = f * l / d * v * v / (2 * 9.81)
        let loss = solver.nodePotential(0) - solver.nodePotential(1)
        #expect(abs(loss - expected) / expected < 0.001, "head loss \(loss) m vs Darcy–Weisbach \(expected) m")
    }

    // Mass balance: inflow − outflow − leak outflow − storage change = 0. The
    // scheme is in conservation form, so the balance closes to round-off; the
    // bound 1e-9 of the inflow volume leaves room for summation error only.
    @Test func massBalanceClosesWithLeaksAndClosure() throws {
        let net = Networks.branched(closure: .rule(durationS: 0.3, startS: 0.5, finalOpenFraction: 0.1, exponent: 1.5))
        var solver = try TransientSolver(network: net, timeStepS: 0.005)
        _ = solver.addLeak(pipe: 0, positionM: 400, dischargeAreaM2: 0.002, startS: 0.2, rampS: 0.5)
        _ = solver.addLeak(pipe: 1, positionM: 0, dischargeAreaM2: 0.001, startS: 1.0, rampS: 0)  // at junction J
        let (k3, _) = solver.addLeak(pipe: 2, positionM: 300, dischargeAreaM2: 0.001, startS: 0.1, rampS: 0)
        let s0 = solver.storedAmount
        for i in 0..<1000 {
            if i == 600 { solver.clearLeak(key: k3, atS: solver.timeS) }
            solver.step()
        }
        let inflow = solver.cumulativeSourceInflow, outflow = solver.cumulativeDeliveryOutflow
        let leak = solver.cumulativeLeakOutflow, storage = solver.storedAmount - s0
        #expect(leak > 0.001 * inflow)  // the leaks did flow
        #expect(abs(storage) > 0)
        let residual = inflow - outflow - leak - storage
        #expect(abs(residual) <= 1e-9 * inflow, "residual \(residual) m³ of inflow \(inflow) m³")
    }

    // A leak opening at once at x sends a drop of B·Q_leak/2 (B = a/(gA)) both ways;
    // it reaches a sensor at xs after |x − xs|/a. The leak opens on the first time level
    // after its start (EventTiming) and sensors read grid faces, so the arrival is exact to
    // the step (1e-9 s, round-off of the clock). The pipe is frictionless because the closed
    // form is (friction attenuates the front by about F·|Q| per step, 1.5 % over 1 km here
    // with f = 0.02), which makes the front one clean step: the drop on the arrival level
    // is B·Q_leak/2 to round-off (1e-9 relative), Q_leak the leak's flow on its first level.
    @Test func leakWaveArrivalAndFirstDrop() throws {
        let l = 3000.0, a = 1000.0, d = 0.4
        let net = Network(
            fluid: .liquid(.water),
            nodes: [
                Node(id: "R", boundary: .reservoir(headM: 60)),
                Node(id: "D", boundary: .demand(Demand(baseFlow: 0.1))),
            ],
            pipes: [
                Pipe(
                    id: "P", from: "R", to: "D", lengthM: l, diameterM: d,
                    friction: .darcy(0), waveSpeed: .given(a))
            ])
        var solver = try TransientSolver(network: net, timeStepS: 0.005)  // Δx = 5 m
        let xLeak = 1200.0, tLeak = 0.5
        let sensors = [400.0, 2200.0, 2995.0]
        let before = sensors.map { solver.probe(pipe: 0, positionM: $0).potential }
        let (key, resolved) = solver.addLeak(pipe: 0, positionM: xLeak, dischargeAreaM2: 0.003, startS: tLeak, rampS: 0)
        #expect(resolved == xLeak)
        var firstFlow = 0.0, openedS = 0.0
        var arrival = [Double?](repeating: nil, count: sensors.count)
        var drop = [Double](repeating: 0, count: sensors.count)
        while solver.timeS < 3 {
            if firstFlow == 0 {
                firstFlow = solver.leakOutflow(key: key)
                openedS = solver.timeS
            }
            solver.step()
            for (i, x) in sensors.enumerated() where arrival[i] == nil {
                let h = solver.probe(pipe: 0, positionM: x).potential
                if before[i] - h > 1e-6 {
                    arrival[i] = solver.timeS
                    drop[i] = before[i] - h
                }
            }
        }
        let b = a / (9.81 * Double.pi * d * d / 4)
        let expectedDrop = b * firstFlow / 2
        #expect(firstFlow > 0)
        #expect(openedS > tLeak && openedS <= tLeak + solver.timeStepS + 1e-9)
        for (i, x) in sensors.enumerated() {
            let expectedT = openedS + abs(x - xLeak) / a
            let t = try #require(arrival[i])
            #expect(abs(t - expectedT) <= 1e-9, "sensor at \(x) m: arrival \(t) s vs \(expectedT) s")
            // The last sensor is one reach from the demand node, where the wave reflects:
            // the reflection reaches it one step after the incident drop.
            #expect(
                abs(drop[i] - expectedDrop) / expectedDrop < 1e-9,
                "sensor at \(x) m: drop \(drop[i]) m vs \(expectedDrop) m")
        }
    }

    @Test func courantViolationNamesLargestStep() throws {
        let net = Networks.tsnetLine(closure: .open)
        #expect(throws: TwinError.courantViolated(pipe: "P1", timeStepS: 0.5, largestAllowedS: 500.0 / 1200)) {
            _ = try TransientSolver(network: net, timeStepS: 0.5)
        }
        let message = "\(TwinError.courantViolated(pipe: "P1", timeStepS: 0.5, largestAllowedS: 500.0 / 1200))"
        #expect(message.contains("largest allowed step is 0.41666"))
    }
}

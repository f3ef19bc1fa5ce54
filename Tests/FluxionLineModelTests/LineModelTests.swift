import FluxionDetectorKit
import Foundation
import Testing

@testable import FluxionLineModel

/// A hand-made line: pipe A (20 km, D 0.8 m) then pipe B (10 km, D 0.6 m), an inflow meter at
/// the start of A, an offtake meter on a branch pipe leaving the node between them, an outflow
/// meter at the end of B, and pressure sensors on A, at the middle node and on B.
enum TestLine {
    static let a = 367.86  // m/s, isothermal natural gas (√(Z·R·T))
    static let network = NetworkDescription(
        scenario: "test-line", isGas: true, timeStepS: 0.5,
        sensors: [
            SensorDescription(
                id: "FT-IN", quantity: "flow", unit: "Sm3/h", pipeID: "A", positionM: 0, sampleRateHz: 0.1),
            SensorDescription(
                id: "PT-A", quantity: "pressure", unit: "Pa", pipeID: "A", positionM: 8000, sampleRateHz: 1),
            SensorDescription(id: "PT-N", quantity: "pressure", unit: "Pa", nodeID: "N", sampleRateHz: 1),
            SensorDescription(
                id: "FT-BR", quantity: "flow", unit: "Sm3/h", pipeID: "BR", positionM: 100, sampleRateHz: 0.1),
            SensorDescription(
                id: "PT-B", quantity: "pressure", unit: "Pa", pipeID: "B", positionM: 6000, sampleRateHz: 1),
            SensorDescription(
                id: "FT-OUT", quantity: "flow", unit: "Sm3/h", pipeID: "B", positionM: 10000, sampleRateHz: 0.1),
        ],
        pipes: [
            PipeDescription(
                id: "A", fromNode: "S", toNode: "N", lengthM: 20000, diameterM: 0.8, waveSpeedMPerS: a,
                lineID: "L", chainageStartM: 0, nominalFlow: 20000),
            PipeDescription(
                id: "B", fromNode: "N", toNode: "E", lengthM: 10000, diameterM: 0.6, waveSpeedMPerS: a,
                lineID: "L", chainageStartM: 20000, nominalFlow: 10000),
            PipeDescription(
                id: "BR", fromNode: "N", toNode: "G", lengthM: 200, diameterM: 0.3, waveSpeedMPerS: a,
                nominalFlow: 10000),
        ],
        stations: [], lines: ["L": ["A", "B"]])
    /// +1 in, −1 out, per sensor.
    static let flowSign: [Double] = [1, 0, 0, -1, 0, -1]
}

@Suite struct LineGeometryTests {
    @Test func placesProbesAndMetersAlongTheLine() throws {
        let g = try #require(LineGeometry(network: TestLine.network, flowSign: TestLine.flowSign))
        #expect(g.lengthM == 30000)
        #expect(g.probes.map(\.chainageM) == [8000, 20000, 26000])
        // The branch meter leaves the line at node N (chainage 20 km).
        #expect(g.meters.map(\.chainageM) == [0, 20000, 30000])
        #expect(g.meters.map(\.sign) == [1, -1, -1])
        #expect(g.position(ofChainage: 25000) == ("B", 5000))
        #expect(g.position(ofChainage: 12000) == ("A", 12000))
        #expect(g.position(ofChainage: 31000) == ("B", 10000))
        #expect(!g.heldStart)
        var held = TestLine.network
        held.pressureNodes = ["S"]
        #expect(LineGeometry(network: held, flowSign: TestLine.flowSign)?.heldStart == true)
        #expect(g.startMeters.map(\.sensor) == [0])
        let volume = Double.pi * (0.16 * 20000 + 0.09 * 10000)
        #expect(abs(g.volume(from: 0, to: 30000) - volume) < 1e-6 * volume)
    }
}

@Suite struct LineModelTests {
    /// c per (Sm³/h)² per ∫dx/D⁵ for a friction factor λ: 16·λ·a²·ρ_std² / (3600²·π²).
    static func multiplier(lambda: Double) -> Double {
        16 * lambda * TestLine.a * TestLine.a * 0.74 * 0.74 / (3600 * 3600 * Double.pi * Double.pi)
    }

    static func model() -> (LineGeometry, LineModel) {
        let g = LineGeometry(network: TestLine.network, flowSign: TestLine.flowSign)!
        return (g, LineModel(geometry: g, cellM: 1000, compressibility: 1))
    }

    /// Line pack from the wave speed and standard density: C = V / (a²·ρ_std), the mass an
    /// isothermal gas line stores per pascal (ρ = p/a²), in standard cubic metres.
    @Test func capacityIsTheIsothermalLinePack() {
        var (g, m) = Self.model()
        m.useStandardDensity(0.74, geometry: g)
        let expected = g.volume(from: 0, to: g.lengthM) / (TestLine.a * TestLine.a * 0.74)
        #expect(abs(m.capacity.reduce(0, +) - expected) < 1e-9 * expected)
    }

    /// Every step conserves the gas exactly: Σ Cᵢ·Δpᵢ = Σ S·Δt (the face flows cancel in pairs
    /// and Newton's update keeps the sum, converged or not). Tolerance: rounding of ~10⁵-Pa sums.
    @Test func stepsConserveMass() {
        var (g, m) = Self.model()
        m.useStandardDensity(0.74, geometry: g)
        m.faceCoefficient = m.frictionLength.map { $0 * Self.multiplier(lambda: 0.012) }
        m.pressure = m.centresM.map { 500_000 - $0 * 0.3 }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var sources = [Double](repeating: 0, count: m.cellCount)
            sources[0] = Double.random(in: 15_000...25_000, using: &rng)
            sources[20] = -Double.random(in: 5_000...12_000, using: &rng)
            sources[m.cellCount - 1] = -Double.random(in: 5_000...12_000, using: &rng)
            let before = zip(m.capacity, m.pressure).reduce(0) { $0 + $1.0 * $1.1 }
            m.step(dtS: 10, sources: sources)
            let after = zip(m.capacity, m.pressure).reduce(0) { $0 + $1.0 * $1.1 }
            let supplied = sources.reduce(0, +) * 10 / 3600
            #expect(abs((after - before) - supplied) < 1e-6 * max(1, abs(supplied)))
        }
    }

    /// Run to steady state with 25,000 Sm³/h through pipe A alone (10,000 leave at the node,
    /// 15,000 at the end of B); each pipe's drop of p² must match the isothermal general flow
    /// equation p₁² − p₂² = λ·L·a²·ṁ² / (D·A²) written independently here. Tolerance 0.5 %: the
    /// model's pressure is linear between cell centres while p² (not p) is linear along a pipe.
    @Test func steadyStateMatchesTheGeneralFlowEquation() {
        var (g, m) = Self.model()
        let lambda = 0.012, rho = 0.74, a = TestLine.a
        m.useStandardDensity(rho, geometry: g)
        let multiplier = Self.multiplier(lambda: lambda)
        m.faceCoefficient = m.frictionLength.map { $0 * multiplier }
        m.pressure = Array(repeating: 500_000, count: m.cellCount)
        var sources = [Double](repeating: 0, count: m.cellCount)
        sources[0] = 25_000
        sources[m.cell(atChainage: 20000)] = -10_000
        sources[m.cellCount - 1] = -15_000
        for _ in 0..<3000 { m.step(dtS: 60, sources: sources) }
        let flows = m.flow
        #expect(abs(flows[5] - 25_000) < 1e-3 * 25_000)
        #expect(abs(flows[25] - 15_000) < 1e-3 * 15_000)
        func generalFlow(lengthM: Double, diameterM: Double, standardFlow q: Double) -> Double {
            let area = Double.pi * diameterM * diameterM / 4
            let massFlow = q * rho / 3600
            return lambda * lengthM * a * a * massFlow * massFlow / (diameterM * area * area)
        }
        // Between the outer cell centres of each pipe's interior stretch (away from the node).
        let pA = (m.pressure(atChainage: 2000), m.pressure(atChainage: 18000))
        let expectedA = generalFlow(lengthM: 16000, diameterM: 0.8, standardFlow: 25_000)
        #expect(abs((pA.0 * pA.0 - pA.1 * pA.1) - expectedA) < 0.005 * expectedA)
        let pB = (m.pressure(atChainage: 22000), m.pressure(atChainage: 28000))
        let expectedB = generalFlow(lengthM: 6000, diameterM: 0.6, standardFlow: 15_000)
        #expect(abs((pB.0 * pB.0 - pB.1 * pB.1) - expectedB) < 0.005 * expectedB)
    }
}

@Suite struct HeldStartTests {
    /// A line whose start is held at 500 kPa: with 10,000 + 15,000 Sm³/h taken out it settles
    /// with the held face carrying all 25,000 in (tolerance 0.1 %: 50 h of 60 s steps from rest
    /// leave the slowest mode at well under that); every step conserves mass counting that inflow
    /// (to 10⁻⁵ of the step's throughput: the inflow is re-solved after Newton's last update, the
    /// face flows inside the line cancel in pairs whatever their iterate).
    @Test func theHeldStartSuppliesWhatIsTakenOut() {
        var (g, m) = LineModelTests.model()
        m.useStandardDensity(0.74, geometry: g)
        let multiplier = LineModelTests.multiplier(lambda: 0.012)
        m.faceCoefficient = m.frictionLength.map { $0 * multiplier }
        m.startCoefficient = m.startFrictionLength * multiplier
        m.startPressure = 500_000
        m.pressure = Array(repeating: 500_000, count: m.cellCount)
        var sources = [Double](repeating: 0, count: m.cellCount)
        sources[m.cell(atChainage: 20000)] = -10_000
        sources[m.cellCount - 1] = -15_000
        for _ in 0..<3000 {
            let before = zip(m.capacity, m.pressure).reduce(0) { $0 + $1.0 * $1.1 }
            m.step(dtS: 60, sources: sources)
            let after = zip(m.capacity, m.pressure).reduce(0) { $0 + $1.0 * $1.1 }
            let supplied = (sources.reduce(0, +) + m.inflow) * 60 / 3600
            #expect(abs((after - before) - supplied) < 1e-5 * 25_000 * 60 / 3600)
        }
        #expect(abs(m.inflow - 25_000) < 25)
        #expect(m.pressure.allSatisfy { $0 < 500_000 })
    }
}

@Suite struct LeakFitTests {
    /// Two candidate responses; residuals made from candidate 0 with q = 300 Sm³/h opening at
    /// t = 600 s, per-probe offsets and seeded noise. The fit must prefer candidate 0 and the
    /// true onset, and give nothing for residuals that rise (gas cannot enter through a leak).
    @Test func prefersTheTrueCandidateAndOnset() {
        let steps = 60
        // responses[c][k][n]: candidate 0 hits probe 0 first, candidate 1 probe 1.
        let responses: [[[Double]]] = [
            [(0...steps).map { 0.5 * (1 - exp(-Double($0) / 10)) }, (0...steps).map { 0.2 * Double($0) / 60 }],
            [(0...steps).map { 0.2 * Double($0) / 60 }, (0...steps).map { 0.5 * (1 - exp(-Double($0) / 10)) }],
        ]
        var state: UInt64 = 42
        func noise() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (Double(state >> 11) / Double(1 << 53) - 0.5) * 20
        }
        var rows: [(timeS: Double, residual: [Double])] = []
        for r in 0..<120 {
            let t = Double(r) * 10
            let n = max(0, min(Int((t - 600) / 10), steps))
            let fall = t > 600 ? 300 * responses[0][0][n] : 0
            let fall1 = t > 600 ? 300 * responses[0][1][n] : 0
            rows.append((t, [40 - fall + noise(), -25 - fall1 + noise()]))
        }
        var table = ResponseTable(candidates: 2, probes: 2, steps: steps)
        for c in 0..<2 { for k in 0..<2 { for n in 0...steps { table[c, k, n] = responses[c][k][n] } } }
        for drift in [false, true] {
            let fit = LeakFit(rows: rows, weights: [1, 1], stepS: 10, responseSteps: steps, drift: drift)
            let true0 = fit.gain(onsetS: 600, table: table, cell: 0)
            #expect(true0 > fit.gain(onsetS: 600, table: table, cell: 1))
            #expect(true0 > fit.gain(onsetS: 600, table: table, cell: 0, theta: 0.3))
            #expect(true0 > fit.gain(onsetS: 500, table: table, cell: 0))
            #expect(true0 > fit.gain(onsetS: 700, table: table, cell: 0))
            let rising = rows.map { (timeS: $0.timeS, residual: $0.residual.map { -$0 }) }
            let risingFit = LeakFit(rows: rising, weights: [1, 1], stepS: 10, responseSteps: steps, drift: drift)
            #expect(risingFit.gain(onsetS: 600, table: table, cell: 0) == 0)
        }
    }
}

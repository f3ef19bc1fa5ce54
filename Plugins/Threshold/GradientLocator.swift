import FluxionDetectorKit
import FluxionLineModel

/// Gas leak localization from the hydraulic gradient (used where pressure waves are too weak).
///
/// Along a line with pressure sensors at chainages x₀ < x₁ < …, each segment obeys, quasi-
/// steadily, p_a² − p_b² = k·Q|Q| (isothermal gas, Q the segment's standard flow). k is learned
/// per segment in normal operation from the metered flow through it: Q = Σ inflow − offtakes
/// upstream − d(line pack upstream)/dt, all as window means. A leak q (from the volume balance)
/// at x_L leaves the segments upstream matching their metered flow and makes every segment
/// downstream carry q less than metered; in the leak's segment, the fraction f of its length
/// before the leak satisfies (p_a² − p_b²)/k = Q²·f + (Q − q)²·(1 − f).
struct GradientLocator {
    private let geometry: LineGeometry
    private var probes: [LineGeometry.Probe] { geometry.probes }
    /// Outflow meters and the chainage where they leave the line.
    private let offtakes: [LineGeometry.Meter]
    private let inflows: [Int]
    private let blockS: Double
    private let windowBlocks: Int
    private var sums: [Double], counts: [Double]
    private var blockStartS: Double?
    private var blocks: [[Double]] = []
    /// Per segment: Σ s·Q|Q| and Σ Q⁴ of the learning period.
    private var fitSQ: [Double], fitQQ: [Double]
    /// Per segment: mean square of its flow deviation d in normal operation, (Sm³/h)²: how much
    /// the quasi-steady law misses there without a leak (short segments and the station nodes
    /// miss most while demand moves). The location weighs each segment by its inverse.
    private var normalSquare: [Double]
    private var normalCount = 0.0

    /// nil without two pressure sensors on the line.
    init?(geometry: LineGeometry, flowSign: [Double], blockS: Double, windowBlocks: Int) {
        guard geometry.probes.count >= 2 else { return nil }
        self.geometry = geometry
        offtakes = geometry.meters.filter { $0.sign < 0 }
        inflows = flowSign.indices.filter { flowSign[$0] > 0 }
        self.blockS = blockS
        self.windowBlocks = windowBlocks
        sums = Array(repeating: 0, count: flowSign.count)
        counts = sums
        fitSQ = Array(repeating: 0, count: geometry.probes.count - 1)
        fitQQ = fitSQ
        normalSquare = fitSQ
    }

    /// Accumulates one tick; `learning` (normal operation: no alarm) adds each closed window
    /// to the per-segment fits, which forget with a time constant of `memoryS` so that k
    /// follows the day's range of flows.
    mutating func observe(_ tick: DetectorTick, learning: Bool, memoryS: Double = 21_600) {
        for s in tick.samples where s.valid && s.value.isFinite && s.sensorIndex < sums.count {
            sums[s.sensorIndex] += s.value
            counts[s.sensorIndex] += 1
        }
        let start = blockStartS ?? tick.simTimeS
        blockStartS = start
        guard tick.simTimeS - start >= blockS - 1e-3 else { return }
        blockStartS = tick.simTimeS
        let means = zip(sums, counts).map { $1 > 0 ? $0 / $1 : .nan }
        var block = means
        if let last = blocks.last { for i in block.indices where block[i].isNaN { block[i] = last[i] } }
        blocks.append(block)
        if blocks.count > windowBlocks { blocks.removeFirst() }
        for i in sums.indices { sums[i] = 0; counts[i] = 0 }
        guard learning, let w = window() else { return }
        let keep = 1 - min(1, blockS / memoryS)
        if let d = deviations(w) {
            normalCount = keep * normalCount + 1
            for j in d.indices { normalSquare[j] = keep * normalSquare[j] + d[j] * d[j] }
        }
        for j in w.s.indices where w.q[j].isFinite && w.s[j].isFinite {
            let qq = w.q[j] * abs(w.q[j])
            fitSQ[j] = keep * fitSQ[j] + w.s[j] * qq
            fitQQ[j] = keep * fitQQ[j] + qq * qq
        }
    }

    /// Per segment: p_a² − p_b² (Pa²) and metered standard flow (Sm³/h), window means.
    private func window() -> (s: [Double], q: [Double])? {
        guard blocks.count == windowBlocks, let first = blocks.first, let last = blocks.last else { return nil }
        let n = Double(windowBlocks)
        func mean(_ i: Int) -> Double { blocks.reduce(0) { $0 + $1[i] } / n }
        let p = probes.map { mean($0.sensor) }
        guard p.allSatisfy(\.isFinite) else { return nil }
        let qIn = inflows.reduce(0) { $0 + mean($1) }
        // Line pack between consecutive probes (and before the first), Sm³; its rate over the window, Sm³/h.
        let spanS = (n - 1) * blockS
        func regionPack(_ b: [Double], from x0: Double, to x1: Double, p0: Int, p1: Int) -> Double {
            geometry.volume(from: x0, to: x1) * (b[probes[p0].sensor] + b[probes[p1].sensor]) / 2 / 101_325
        }
        var upstreamPackRate =
            (regionPack(last, from: 0, to: probes[0].chainageM, p0: 0, p1: 0)
                - regionPack(first, from: 0, to: probes[0].chainageM, p0: 0, p1: 0)) / spanS * 3600
        var s: [Double] = [], q: [Double] = []
        for j in 0..<(probes.count - 1) {
            let a = probes[j], b = probes[j + 1]
            let out = offtakes.filter { $0.chainageM <= a.chainageM + 1 }.reduce(0) { $0 + mean($1.sensor) }
            s.append(p[j] * p[j] - p[j + 1] * p[j + 1])
            // Half the segment's own pack change is taken as upstream of its mean flow.
            let own =
                (regionPack(last, from: a.chainageM, to: b.chainageM, p0: j, p1: j + 1)
                    - regionPack(first, from: a.chainageM, to: b.chainageM, p0: j, p1: j + 1)) / spanS * 3600
            q.append(qIn - out - upstreamPackRate - own / 2)
            upstreamPackRate += own
        }
        return (s, q)
    }

    /// Per segment k of p_a² − p_b² = k·Q|Q|, or nil before calibration.
    private var slopes: [Double]? {
        let k = zip(fitSQ, fitQQ).map { $1 > 0 ? $0 / $1 : .nan }
        return k.allSatisfy({ $0.isFinite && $0 > 0 }) ? k : nil
    }

    /// Deviation of each segment's flow (inferred from its pressures) from the metered flow, Sm³/h.
    private func deviations(_ w: (s: [Double], q: [Double])) -> [Double]? {
        guard let k = slopes else { return nil }
        return w.s.indices.map { j in
            let inferred = (abs(w.s[j]) / k[j]).squareRoot() * (w.s[j] < 0 ? -1 : 1)
            return inferred.isFinite && w.q[j].isFinite ? inferred - w.q[j] : 0
        }
    }

    /// The leak's pipe and position for a leak of `leakFlow` Sm³/h, or nil when not calibrated.
    func locate(leakFlow q: Double) -> (pipeID: String, positionM: Double)? {
        guard q > 0, let w = window(), let k = slopes, let d = deviations(w) else { return nil }
        // Weights: inverse normal-operation mean square (floored at (1 % of q)² so one quiet
        // segment cannot dominate).
        let floor = max(1e-6, 0.0001 * q * q)
        let weight = normalSquare.map { 1 / max(normalCount > 0 ? $0 / normalCount : 0, floor) }
        // Candidate -1: upstream of the first sensor (every segment carries q less than metered).
        var best: (cost: Double, j: Int) = (d.indices.reduce(0) { $0 + weight[$1] * (d[$1] + q) * (d[$1] + q) }, -1)
        for j in d.indices {
            var cost = 0.0
            for i in d.indices where i != j { cost += weight[i] * (i < j ? d[i] * d[i] : (d[i] + q) * (d[i] + q)) }
            if cost < best.cost { best = (cost, j) }
        }
        if best.j < 0 {
            // No pressure upstream to bracket it: the middle of the stretch before the first sensor.
            return geometry.position(ofChainage: probes[0].chainageM / 2)
        }
        let j = best.j, Q = w.q[j]
        let denominator = Q * Q - (Q - q) * (Q - q)
        var f = denominator != 0 ? ((w.s[j] / k[j]) - (Q - q) * (Q - q)) / denominator : 0.5
        if !f.isFinite { f = 0.5 }
        f = min(max(f, 0), 1)
        return geometry.position(ofChainage: probes[j].chainageM + f * (probes[j + 1].chainageM - probes[j].chainageM))
    }
}

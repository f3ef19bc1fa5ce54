/// Least squares of residuals against a leak's response (`TransientLocator`): for probe k and
/// residual rows yₖ(t), the model yₖ(t) = oₖ − q·zₖ(t) with zₖ(t) = gₖ(t − t₀) after the onset
/// t₀ (0 before) and a free offset oₖ per probe. Eliminating oₖ and q, the weighted sum of
/// squares falls by
///
///     gain = A² / B,   A = Σₖ wₖ·cov(yₖ, zₖ),   B = Σₖ wₖ·var(zₖ)      (× row counts)
///
/// when q = −A/B is positive (a leak takes gas out), and by nothing otherwise. The candidate
/// with the largest gain is the least-squares answer.
public struct LeakFit {
    private let times: [Double]
    /// Per probe: its residual series.
    private let series: [[Double]]
    private let sums: [Double]
    private let weights: [Double]
    private let stepS: Double
    private let responseSteps: Int
    /// With a drift: Σₖ wₖ·var(t) and Σₖ wₖ·cov(t, yₖ) (t centred on the rows' mean time).
    private let drift: Bool
    private let driftTT: Double, driftTY: Double
    private let centredTimes: [Double]
    /// Which series share the drift (pressures do; a flow residual does not).
    private let drifting: [Bool]

    /// `drift`: the residuals may also share one linear trend β·t (the model's own level
    /// drifting while an alarm freezes it), for the series `drifting` marks (default all); the
    /// gain is then measured against that trend alone.
    public init(
        rows: [(timeS: Double, residual: [Double])], weights: [Double], stepS: Double, responseSteps: Int,
        drift: Bool = false, drifting: [Bool]? = nil
    ) {
        times = rows.map(\.timeS)
        series = weights.indices.map { k in rows.map { $0.residual[k] } }
        sums = series.map { $0.reduce(0, +) }
        self.weights = weights
        self.stepS = stepS
        self.responseSteps = responseSteps
        self.drift = drift
        let drifting = drifting ?? Array(repeating: true, count: weights.count)
        self.drifting = drifting
        let meanT = times.isEmpty ? 0 : times.reduce(0, +) / Double(times.count)
        centredTimes = times.map { $0 - meanT }
        var tt = 0.0, ty = 0.0
        for k in weights.indices where weights[k] > 0 && drifting[k] {
            let meanY = series[k].isEmpty ? 0 : sums[k] / Double(series[k].count)
            for r in times.indices {
                tt += weights[k] * centredTimes[r] * centredTimes[r]
                ty += weights[k] * centredTimes[r] * (series[k][r] - meanY)
            }
        }
        driftTT = tt
        driftTY = ty
    }

    /// The fall of the weighted sum of squares for a leak opening at `onsetS` at the position
    /// `(1 − theta)` of candidate `cell` and `theta` of candidate `cell + 1` in `table` (the
    /// responses interpolate linearly between candidates).
    public func gain(onsetS: Double, table: ResponseTable, cell: Int, theta: Double = 0) -> Double {
        let n = Double(times.count)
        guard let first = times.firstIndex(where: { $0 > onsetS }) else { return 0 }
        let rows = times.count - first
        // Where each row falls in the response: step i and fraction f (linear between steps;
        // after the last step on along its slope: the line's ends are metered, so a leak's
        // deficit keeps growing, evenly, at the end).
        var index = [Int](repeating: 0, count: rows), fraction = [Double](repeating: 0, count: rows)
        for r in 0..<rows {
            let s = (times[first + r] - onsetS) / stepS
            let i = min(Int(s), responseSteps - 1)
            index[r] = i
            fraction[r] = s - Double(i)
        }
        let other = theta > 0 ? cell + 1 : cell
        var a = 0.0, b = 0.0, u = 0.0
        table.values.withUnsafeBufferPointer { values in
            for k in weights.indices where weights[k] > 0 {
                let g0 = table.offset(cell: cell, probe: k), g1 = table.offset(cell: other, probe: k)
                var sz = 0.0, szz = 0.0, syz = 0.0, stz = 0.0
                let y = series[k]
                for r in 0..<rows {
                    let i = index[r], f = fraction[r]
                    let z0 = values[g0 + i] + f * (values[g0 + i + 1] - values[g0 + i])
                    let z1 = values[g1 + i] + f * (values[g1 + i + 1] - values[g1 + i])
                    let z = z0 + theta * (z1 - z0)
                    sz += z
                    szz += z * z
                    syz += y[first + r] * z
                    stz += centredTimes[first + r] * z
                }
                a += weights[k] * (syz - sums[k] * sz / n)
                b += weights[k] * (szz - sz * sz / n)
                if drifting[k] { u += weights[k] * stz }
            }
        }
        guard drift else {
            guard b > 0, -a / b > 0 else { return 0 }
            return a * a / b
        }
        // Two regressors (t and z) after the offsets: the leak's coefficient −q is
        // (T·A − U·Y)/(T·B − U²); the gain over the trend alone is its square over T·(T·B − U²).
        let t = driftTT, y = driftTY
        let det = t * b - u * u
        guard t > 0, det > 0 else { return 0 }
        let gamma = (t * a - u * y) / det
        guard gamma < 0 else { return 0 }
        return (t * a - u * y) * (t * a - u * y) / (t * det)
    }
}

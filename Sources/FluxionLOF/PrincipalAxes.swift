/// A rotation onto the principal axes of a point set, for building the KD-tree in them.
///
/// Correlated readings (a few latent causes driving many sensors) fill a thin slab that is
/// oblique to the feature axes; boxes aligned with the features then bound it poorly. In
/// principal-axis coordinates the slab is axis-aligned, boxes are tight and fewer leaves are
/// scanned. Distances do not change under a rotation, but the rotation is computed, so it is
/// neither exactly orthogonal nor exactly applied: `stretch`, `shrink` and `slack` bound
/// both effects, and `DistanceBounds` turns them into limits that never drop a point the
/// exact search (in the original coordinates, where every returned distance is computed)
/// would keep.
struct PrincipalAxes: Sendable {
    let dimension: Int
    /// Subtracted before rotating (the mean of the points).
    let mean: [Double]
    /// Row-major `dimension × dimension` matrix; row `i` is the `i`-th principal direction.
    let matrix: [Double]
    /// At least the largest singular value of `matrix`.
    let stretch: Double
    /// At least the inverse of its smallest singular value.
    let shrink: Double
    /// Per unit of `reach` (the largest `|x_j − mean_j|` of the points rotated), a bound on
    /// the Euclidean norm of the rounding error of one rotated point.
    let errorPerReach: Double
    /// Largest `|x_j − mean_j|` over the points the axes were computed from.
    let reach: Double

    /// The principal axes of `points`, or nil when rotating is pointless (one feature) or
    /// unsafe (coordinates so large that products could overflow, or a rotation too far from
    /// orthogonal to bound usefully).
    init?(_ points: FeatureMatrix) {
        let d = points.dimension, n = points.count
        guard d >= 2, n >= 2 else { return nil }
        // Row by row through raw pointers (one pass each; per feature the same sums in the
        // same order as column by column).
        var mean = [Double](repeating: 0, count: d)
        var reach = 0.0
        var covariance = [Double](repeating: 0, count: d * d)
        let step = max(1, n / 4096)  // the axes need not be optimal: ~4,000 points will do
        points.values.withUnsafeBufferPointer { x in
            mean.withUnsafeMutableBufferPointer { mean in
                for i in 0..<n {
                    for j in 0..<d { mean[j] += x[i &* d &+ j] }
                }
                for j in 0..<d { mean[j] /= Double(n) }
                for i in 0..<n {
                    for j in 0..<d { reach = max(reach, abs(x[i &* d &+ j] - mean[j])) }
                }
                guard reach < 1e150, reach > 0 else { return }
                covariance.withUnsafeMutableBufferPointer { covariance in
                    withUnsafeTemporaryAllocation(of: Double.self, capacity: d) { centred in
                        for i in stride(from: 0, to: n, by: step) {
                            for j in 0..<d { centred[j] = x[i &* d &+ j] - mean[j] }
                            for a in 0..<d {
                                for b in a..<d { covariance[a &* d &+ b] += centred[a] * centred[b] }
                            }
                        }
                    }
                }
            }
        }
        guard reach < 1e150, reach > 0 else { return nil }
        for a in 0..<d {
            for b in 0..<a { covariance[a * d + b] = covariance[b * d + a] }
        }
        let (values, vectors) = SymmetricEigen.decompose(covariance, dimension: d)
        let ranked = (0..<d).sorted { values[$0] > values[$1] }
        var matrix = [Double](repeating: 0, count: d * d)
        for (row, axis) in ranked.enumerated() {
            for j in 0..<d { matrix[row * d + j] = vectors[j * d + axis] }
        }
        // ‖RᵀR − I‖_F bounds how far RᵀR's eigenvalues (the squared singular values) are
        // from 1; its computed value is padded by the rounding of computing it.
        let u = 0x1p-53
        var deviation = 0.0
        var rowSums = 0.0
        for a in 0..<d {
            var absoluteRow = 0.0
            for b in 0..<d {
                var dot = 0.0
                for i in 0..<d { dot += matrix[i * d + a] * matrix[i * d + b] }
                let e = dot - (a == b ? 1 : 0)
                deviation += e * e
                absoluteRow += abs(matrix[a * d + b])
            }
            rowSums += absoluteRow * absoluteRow
        }
        let epsilon = deviation.squareRoot() * (1 + 4 * u) + 4 * Double(d * (d + 2)) * u
        guard epsilon < 0.25 else { return nil }
        self.dimension = d
        self.mean = mean
        self.matrix = matrix
        self.reach = reach
        stretch = (1 + epsilon).squareRoot() * (1 + 4 * u)
        shrink = 1 / (1 - epsilon).squareRoot() * (1 + 4 * u)
        // Each rotated coordinate is a d-term dot product of rounded differences: error at
        // most γ_{d+2}·‖row‖₁·reach; the norm over all coordinates uses √(Σ‖row‖₁²).
        errorPerReach = 1.01 * Double(d + 2) * u * rowSums.squareRoot() * (1 + 4 * u)
    }

    /// Writes the rotated `x` (`dimension` values) to `y`.
    @inline(__always)
    func rotate(_ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>) {
        matrix.withUnsafeBufferPointer { r in
            mean.withUnsafeBufferPointer { m in
                for i in 0..<dimension {
                    var sum = 0.0
                    for j in 0..<dimension { sum += r[i &* dimension &+ j] * (x[j] - m[j]) }
                    y[i] = sum
                }
            }
        }
    }

    /// Every point of `points` rotated, row-major (not finite for points beyond about 1e150
    /// from the mean; `bounds(queryReach:treeReach:)` rejects those).
    func rotate(_ points: FeatureMatrix, parallel: Bool) -> [Double] {
        var values = [Double](repeating: 0, count: points.values.count)
        points.values.withUnsafeBufferPointer { x in
            values.withUnsafeMutableBufferPointer { y in
                let shared = UncheckedSendable(value: (x.baseAddress!, y.baseAddress!))
                ParallelChunks.forEach(points.count, parallel: parallel) { range in
                    let (x, y) = shared.value
                    for i in range { rotate(x + i * dimension, into: y + i * dimension) }
                }
            }
        }
        return values
    }

    /// Bounds for a query whose largest `|x_j − mean_j|` is `queryReach`, with `treeReach`
    /// its Float-filter reach in rotated coordinates; nil when the query is too far out to
    /// rotate safely.
    func bounds(queryReach: Double, treeReach: Double) -> DistanceBounds? {
        let m = max(reach, queryReach)
        guard m < 1e150 else { return nil }
        // Two rotated points (query and indexed point) each carry the error.
        return DistanceBounds(
            dimension: dimension, reach: treeReach, stretch: stretch, shrink: shrink,
            slack: 2 * errorPerReach * m * (1 + 1e-12) + 1e-300)
    }
}

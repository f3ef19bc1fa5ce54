import Dispatch

/// Local Outlier Factor in novelty mode, reproducing scikit-learn's
/// `LocalOutlierFactor(novelty=True, metric="euclidean")` value for value.
///
/// Fitting (`init(fitting:parameters:)`), with `n` training points and
/// `k = max(1, min(n_neighbors, n - 1))`:
/// 1. the k nearest *other* training points of every training point (exactly k, ties broken
///    by lower training index), and its k-distance (distance to the k-th of them);
/// 2. `lrd(p) = 1 / (mean over neighbours o of max(d(p, o), kdist(o)) + 1e-10)`;
/// 3. training scores `-mean(lrd(o) / lrd(p))` (`negative_outlier_factor_`);
/// 4. `offset_`: -1.5 for `'auto'`, else the `100·c` percentile of the training scores.
///
/// Scoring a new point `x` uses its k nearest training points (itself not excluded) in the
/// same formulas. Means are NumPy's pairwise sums divided by k and distances are summed in
/// feature order, so results agree with scikit-learn's to the last bit on the reference data.
public struct LocalOutlierFactor: Sendable {
    /// The parameters it was fitted with.
    public let parameters: LOFParameters
    /// Effective neighbourhood size (`n_neighbors_`).
    public let k: Int
    /// The training points (`_fit_X`).
    public let training: FeatureMatrix
    /// Distance from each training point to its k-th nearest other training point.
    public let kDistances: [Double]
    /// Local reachability density of each training point (`_lrd`).
    public let localReachabilityDensities: [Double]
    /// Score of each training point (`negative_outlier_factor_`).
    public let trainingScores: [Double]
    /// Decision threshold (`offset_`).
    public let offset: Double
    /// The neighbour index over `training`.
    let tree: KDTree

    /// Fits the detector.
    /// - Parameters:
    ///   - training: at least two points.
    ///   - parameters: `n_neighbors` and `contamination`.
    ///   - parallel: run the neighbour search on all cores.
    /// - Throws: `LOFError` for invalid parameters or fewer than two points.
    public init(
        fitting training: FeatureMatrix, parameters: LOFParameters = LOFParameters(),
        parallel: Bool = false
    ) throws {
        try parameters.validate()
        guard training.count >= 2 else { throw LOFError.tooFewTrainingPoints(count: training.count) }
        let k = parameters.effectiveNeighbors(trainingCount: training.count)
        let tree = KDTree(training, parallel: parallel)
        let table = tree.neighborsOfIndexedPoints(k: k, parallel: parallel)
        var kDistances = [Double](repeating: 0, count: training.count)
        for i in 0..<training.count { kDistances[i] = table.distances[i * k + k - 1] }
        // Raw views captured once: an array used inside the per-row closures would be
        // retained and released per row, from every worker, on one shared reference count.
        let lrd = kDistances.withUnsafeBufferPointer { kDistances in
            Self.rowwise(table, parallel: parallel) { _, distances, indices in
                Self.reachabilityDensity(distances, indices, k: k, kDistances: kDistances)
            }
        }
        let scores = lrd.withUnsafeBufferPointer { lrd in
            Self.rowwise(table, parallel: parallel) { row, _, indices in
                Self.score(indices, k: k, density: lrd[row], trainingDensities: lrd)
            }
        }
        let offset: Double
        switch parameters.contamination {
        case .auto: offset = -1.5
        case let .fraction(c): offset = NumpyReductions.percentileLinear(scores, percent: 100.0 * c)
        }
        self.parameters = parameters
        self.k = k
        self.training = training
        self.tree = tree
        self.kDistances = kDistances
        self.localReachabilityDensities = lrd
        self.trainingScores = scores
        self.offset = offset
    }

    /// `score_samples`: the opposite of the LOF of each row of `points`. Each row is scored
    /// on the thread that found its neighbours, as soon as it has them.
    /// - Throws: `LOFError.dimensionMismatch` when the feature counts differ.
    public func scoreSamples(_ points: FeatureMatrix, parallel: Bool = false) throws -> [Double] {
        guard points.dimension == training.dimension else {
            throw LOFError.dimensionMismatch(expected: training.dimension, found: points.dimension)
        }
        if points.count == 0 { return [] }
        let k = self.k
        var result = [Double](unsafeUninitializedCapacity: points.count) { _, count in count = points.count }
        kDistances.withUnsafeBufferPointer { kDistances in
            localReachabilityDensities.withUnsafeBufferPointer { trainingDensities in
                result.withUnsafeMutableBufferPointer { result in
                    let shared = UncheckedSendable(value: (kDistances, trainingDensities, result.baseAddress!))
                    tree.forEachNeighborRow(of: points, k: k, parallel: parallel) { row, distances, indices in
                        let (kDistances, trainingDensities, result) = shared.value
                        let density = Self.reachabilityDensity(distances, indices, k: k, kDistances: kDistances)
                        result[row] = Self.score(indices, k: k, density: density, trainingDensities: trainingDensities)
                    }
                }
            }
        }
        return result
    }

    /// `score_samples`, `decision_function` and `predict` of every row of `points`.
    public func scores(of points: FeatureMatrix, parallel: Bool = false) throws -> LOFScores {
        LOFScores(scoreSamples: try scoreSamples(points, parallel: parallel), offset: offset)
    }

    /// `decision_function`: `score_samples - offset_`.
    public func decisionFunction(_ points: FeatureMatrix, parallel: Bool = false) throws -> [Double] {
        try scores(of: points, parallel: parallel).decisionFunction
    }

    /// `predict`: 1 for inliers, -1 for outliers.
    public func predict(_ points: FeatureMatrix, parallel: Bool = false) throws -> [Int] {
        try scores(of: points, parallel: parallel).predict
    }

    /// scikit-learn's `_local_reachability_density` of one row:
    /// `1 / (mean(max(distance, kdist[neighbour])) + 1e-10)`.
    @inline(__always)
    static func reachabilityDensity<D: Collection<Double>>(
        _ distances: UnsafePointer<Double>, _ indices: UnsafePointer<Int>, k: Int, kDistances: D
    ) -> Double where D.Index == Int {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: k) { reach in
            for slot in 0..<k { reach[slot] = max(distances[slot], kDistances[indices[slot]]) }
            return 1.0 / (NumpyReductions.mean(UnsafeBufferPointer(reach)) + 1e-10)
        }
    }

    /// `-mean(lrd[neighbours] / lrd[point])` of one row whose own density is `density`.
    @inline(__always)
    static func score<D: Collection<Double>>(
        _ indices: UnsafePointer<Int>, k: Int, density: Double, trainingDensities: D
    ) -> Double where D.Index == Int {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: k) { ratios in
            for slot in 0..<k { ratios[slot] = trainingDensities[indices[slot]] / density }
            return -NumpyReductions.mean(UnsafeBufferPointer(ratios))
        }
    }

    /// `value(row, distances, indices)` of every row of `table`, in chunks of 1,024 rows
    /// spread over all cores when `parallel`.
    static func rowwise(
        _ table: NeighborTable, parallel: Bool,
        _ value: (Int, UnsafePointer<Double>, UnsafePointer<Int>) -> Double
    ) -> [Double] {
        let rows = table.rows, k = table.k
        var result = [Double](unsafeUninitializedCapacity: rows) { _, count in count = rows }
        result.withUnsafeMutableBufferPointer { result in
            table.distances.withUnsafeBufferPointer { distances in
                table.indices.withUnsafeBufferPointer { indices in
                    let shared = UncheckedSendable(
                        value: (result.baseAddress!, distances.baseAddress!, indices.baseAddress!))
                    ParallelChunks.forEach(rows, parallel: parallel) { range in
                        let (result, distances, indices) = shared.value
                        for row in range { result[row] = value(row, distances + row * k, indices + row * k) }
                    }
                }
            }
        }
        return result
    }
}

/// Per-feature standardization `(x - mean) / scale`, as scikit-learn's `StandardScaler`:
/// mean and population standard deviation of the training points, a zero deviation
/// (constant feature) replaced by 1 so that it maps to 0 instead of dividing by zero.
public struct FeatureScaling: Sendable, Equatable {
    /// Per-feature mean subtracted first.
    public let mean: [Double]
    /// Per-feature divisor, all finite and positive.
    public let scale: [Double]

    /// Explicit parameters.
    /// - Throws: `LOFError.invalidShape` when the counts differ or are zero,
    ///   `LOFError.nonFiniteValue` for a non-finite mean or a scale that is not finite and
    ///   positive (row 0 is the mean, row 1 the scale).
    public init(mean: [Double], scale: [Double]) throws {
        guard !mean.isEmpty, mean.count == scale.count else {
            throw LOFError.invalidShape(count: 2, dimension: mean.count, valueCount: mean.count + scale.count)
        }
        if let bad = mean.firstIndex(where: { !$0.isFinite }) {
            throw LOFError.nonFiniteValue(row: 0, column: bad)
        }
        if let bad = scale.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
            throw LOFError.nonFiniteValue(row: 1, column: bad)
        }
        self.mean = mean
        self.scale = scale
    }

    /// Fits mean and standard deviation to `points` (at least one row).
    public init(fitting points: FeatureMatrix) {
        let n = Double(points.count), d = points.dimension
        var mean = [Double](repeating: 0, count: d)
        var scale = [Double](repeating: 0, count: d)
        for i in 0..<points.count {
            for j in 0..<d { mean[j] += points.values[i * d + j] }
        }
        for j in 0..<d { mean[j] /= n }
        for i in 0..<points.count {
            for j in 0..<d {
                let t = points.values[i * d + j] - mean[j]
                scale[j] += t * t
            }
        }
        for j in 0..<d {
            let deviation = (scale[j] / n).squareRoot()
            scale[j] = deviation > 0 && deviation.isFinite ? deviation : 1
        }
        self.mean = mean
        self.scale = scale
    }

    /// Number of features.
    public var dimension: Int { mean.count }

    /// The standardized copy of `points`.
    /// - Throws: `LOFError.dimensionMismatch` when the widths differ.
    public func apply(to points: FeatureMatrix) throws -> FeatureMatrix {
        guard points.dimension == dimension else {
            throw LOFError.dimensionMismatch(expected: dimension, found: points.dimension)
        }
        var values = points.values
        for i in 0..<points.count {
            for j in 0..<dimension {
                values[i * dimension + j] = (values[i * dimension + j] - mean[j]) / scale[j]
            }
        }
        return try FeatureMatrix(count: points.count, dimension: dimension, values: values)
    }
}

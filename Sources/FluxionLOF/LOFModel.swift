/// A fitted detector ready to be saved, loaded and asked for scores: the Local Outlier
/// Factor over (optionally standardized) training points plus the standardization.
///
/// This is what the LOF detector plugin holds: `LOFModel(fitting:)` (or
/// `LOFModel(contentsOf:)` / `LOFModel(decoding:)`) once, then `scores(of:)` per batch of raw
/// feature vectors. Saved with `encoded()` / `write(to:)` in the format of
/// `LOFModel+File.swift`.
public struct LOFModel: Sendable {
    /// Standardization applied to raw features before the LOF, if any.
    public let scaling: FeatureScaling?
    /// The fitted LOF, over standardized points when `scaling` is set.
    public let detector: LocalOutlierFactor

    /// Wraps an already fitted detector.
    /// - Throws: `LOFError.dimensionMismatch` when the scaling's width differs from the
    ///   detector's.
    public init(detector: LocalOutlierFactor, scaling: FeatureScaling? = nil) throws {
        if let scaling, scaling.dimension != detector.training.dimension {
            throw LOFError.dimensionMismatch(expected: detector.training.dimension, found: scaling.dimension)
        }
        self.detector = detector
        self.scaling = scaling
    }

    /// Fits on raw training points.
    /// - Parameters:
    ///   - points: at least two raw feature vectors.
    ///   - parameters: `n_neighbors` and `contamination`.
    ///   - standardize: fit a `FeatureScaling` first and fit the LOF on scaled points.
    ///   - parallel: run the neighbour search on all cores.
    public init(
        fitting points: FeatureMatrix, parameters: LOFParameters = LOFParameters(),
        standardize: Bool = false, parallel: Bool = false
    ) throws {
        let scaling = standardize ? FeatureScaling(fitting: points) : nil
        let training = try scaling?.apply(to: points) ?? points
        try self.init(
            detector: LocalOutlierFactor(fitting: training, parameters: parameters, parallel: parallel),
            scaling: scaling)
    }

    /// Number of raw features a point must have.
    public var dimension: Int { detector.training.dimension }

    /// `score_samples`, `decision_function` and `predict` for raw points.
    /// - Throws: `LOFError.dimensionMismatch` for points of another width.
    public func scores(of points: FeatureMatrix, parallel: Bool = false) throws -> LOFScores {
        guard points.dimension == dimension else {
            throw LOFError.dimensionMismatch(expected: dimension, found: points.dimension)
        }
        let scaled = try scaling?.apply(to: points) ?? points
        return try detector.scores(of: scaled, parallel: parallel)
    }
}

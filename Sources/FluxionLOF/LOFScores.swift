/// The three outputs of scikit-learn's novelty-mode LOF for a batch of points.
public struct LOFScores: Sendable, Equatable {
    /// `score_samples`: the opposite of the local outlier factor (about -1 for inliers,
    /// lower is more abnormal).
    public var scoreSamples: [Double]
    /// `decision_function`: `score_samples - offset_` (negative means outlier).
    public var decisionFunction: [Double]
    /// `predict`: `1` for an inlier, `-1` for an outlier (`decision_function < 0`).
    public var predict: [Int]

    /// Derives all three from the raw scores and the fitted offset.
    public init(scoreSamples: [Double], offset: Double) {
        self.scoreSamples = scoreSamples
        decisionFunction = scoreSamples.map { $0 - offset }
        predict = decisionFunction.map { $0 < 0 ? -1 : 1 }
    }
}

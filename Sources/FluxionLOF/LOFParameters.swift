/// The hyper-parameters of `LocalOutlierFactor`, named and defaulted as in scikit-learn.
public struct LOFParameters: Sendable, Equatable {
    /// How the decision threshold `offset_` is chosen.
    public enum Contamination: Sendable, Equatable, CustomStringConvertible {
        /// scikit-learn's `'auto'`: `offset_ = -1.5`.
        case auto
        /// Expected outlier fraction in (0, 0.5]: `offset_` is the `100·c`-th percentile
        /// (linear interpolation) of the training points' scores.
        case fraction(Double)

        public var description: String {
            switch self {
            case .auto: return "auto"
            case let .fraction(c): return "\(c)"
            }
        }
    }

    /// Requested neighbourhood size (`n_neighbors`, default 20). The effective size is
    /// `max(1, min(neighbors, n - 1))` for `n` training points.
    public var neighbors: Int
    /// Threshold rule (`contamination`, default `'auto'`).
    public var contamination: Contamination

    /// - Parameters:
    ///   - neighbors: `n_neighbors`, at least 1.
    ///   - contamination: `'auto'` or a fraction in (0, 0.5].
    public init(neighbors: Int = 20, contamination: Contamination = .auto) {
        self.neighbors = neighbors
        self.contamination = contamination
    }

    /// Throws the `LOFError` that scikit-learn's parameter validation would raise.
    public func validate() throws {
        guard neighbors >= 1 else { throw LOFError.invalidNeighborCount(neighbors) }
        if case let .fraction(c) = contamination, !(c > 0 && c <= 0.5) {
            throw LOFError.invalidContamination(c)
        }
    }

    /// The effective neighbourhood size for `trainingCount` points (scikit-learn's `n_neighbors_`).
    public func effectiveNeighbors(trainingCount: Int) -> Int {
        max(1, min(neighbors, trainingCount - 1))
    }
}

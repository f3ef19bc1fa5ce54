/// Errors of fitting and scoring a Local Outlier Factor.
public enum LOFError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The flat value count does not equal `count * dimension`, or `dimension` is not positive.
    case invalidShape(count: Int, dimension: Int, valueCount: Int)
    /// Row `row` (0-based) has `found` values where row 0 has `expected`.
    case raggedRows(row: Int, expected: Int, found: Int)
    /// A NaN or infinite value at (`row`, `column`), both 0-based.
    case nonFiniteValue(row: Int, column: Int)
    /// LOF needs at least two training points (scikit-learn refuses fewer as well).
    case tooFewTrainingPoints(count: Int)
    /// `n_neighbors` must be at least 1.
    case invalidNeighborCount(Int)
    /// Contamination must lie in (0, 0.5], as scikit-learn requires.
    case invalidContamination(Double)
    /// The points to score have a different number of features than the training points.
    case dimensionMismatch(expected: Int, found: Int)

    public var description: String {
        switch self {
        case let .invalidShape(count, dimension, valueCount):
            return "invalid matrix shape: \(count) rows × \(dimension) columns but \(valueCount) values"
        case let .raggedRows(row, expected, found):
            return "row \(row + 1) has \(found) values, expected \(expected)"
        case let .nonFiniteValue(row, column):
            return "non-finite value at row \(row + 1), column \(column + 1)"
        case let .tooFewTrainingPoints(count):
            return "LOF needs at least 2 training points, got \(count)"
        case let .invalidNeighborCount(k):
            return "n_neighbors must be at least 1, got \(k)"
        case let .invalidContamination(c):
            return "contamination must be in (0, 0.5] or 'auto', got \(c)"
        case let .dimensionMismatch(expected, found):
            return "dimension mismatch: model has \(expected) features, data has \(found)"
        }
    }
}

/// A dense set of `count` points in `dimension` dimensions, stored flat and row-major
/// (`values[i * dimension + j]` is feature `j` of point `i`).
///
/// Flat storage keeps the hot loops of the neighbour search on one contiguous buffer.
public struct FeatureMatrix: Sendable, Equatable {
    /// Number of points (rows).
    public let count: Int
    /// Number of features per point (columns).
    public let dimension: Int
    /// Row-major values, `count * dimension` of them.
    public let values: [Double]

    /// Wraps flat row-major values.
    /// - Throws: `LOFError.invalidShape` when `values.count != count * dimension` or the
    ///   dimension is not positive; `LOFError.nonFiniteValue` for a NaN or infinity.
    public init(count: Int, dimension: Int, values: [Double]) throws {
        guard dimension > 0, count >= 0, values.count == count * dimension else {
            throw LOFError.invalidShape(count: count, dimension: dimension, valueCount: values.count)
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw LOFError.nonFiniteValue(row: bad / dimension, column: bad % dimension)
        }
        self.count = count
        self.dimension = dimension
        self.values = values
    }

    /// Builds a matrix from rows that must all have the same, positive length.
    /// - Throws: `LOFError.raggedRows` naming the first row whose length differs from row 0,
    ///   `LOFError.invalidShape` for no columns, `LOFError.nonFiniteValue`.
    public init(rows: [[Double]]) throws {
        let dimension = rows.first?.count ?? 0
        var flat: [Double] = []
        flat.reserveCapacity(rows.count * dimension)
        for (index, row) in rows.enumerated() {
            guard row.count == dimension else {
                throw LOFError.raggedRows(row: index, expected: dimension, found: row.count)
            }
            flat.append(contentsOf: row)
        }
        try self.init(count: rows.count, dimension: dimension, values: flat)
    }

    /// Point `index` as an array (convenience; the algorithm reads `values` directly).
    public func row(_ index: Int) -> [Double] {
        Array(values[index * dimension..<(index + 1) * dimension])
    }
}

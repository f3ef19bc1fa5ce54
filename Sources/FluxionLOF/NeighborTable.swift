/// The k nearest neighbours of a batch of query points, one row of `k` per query, each row
/// in ascending (distance, training index) order.
struct NeighborTable: Sendable {
    /// Neighbours per row.
    let k: Int
    /// Euclidean distances, row-major, `rows * k`.
    var distances: [Double]
    /// Training indices of the neighbours, aligned with `distances`.
    var indices: [Int]

    /// An all-zero table for `rows` queries.
    init(rows: Int, k: Int) {
        self.k = k
        distances = [Double](repeating: 0, count: rows * k)
        indices = [Int](repeating: 0, count: rows * k)
    }

    /// Number of query rows.
    var rows: Int { k == 0 ? 0 : distances.count / k }
}

/// A value that may cross into `concurrentPerform` although the compiler cannot prove it
/// safe: used only for raw buffers whose rows each worker writes disjointly.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
}

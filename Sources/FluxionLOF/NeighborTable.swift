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

    /// A table for `rows` queries whose entries are all about to be written (not zeroed:
    /// zeroing 3 MB costs page faults on the calling thread alone).
    init(uninitializedRows rows: Int, k: Int) {
        self.k = k
        distances = [Double](unsafeUninitializedCapacity: rows * k) { _, count in count = rows * k }
        indices = [Int](unsafeUninitializedCapacity: rows * k) { _, count in count = rows * k }
    }

    /// Calls `body` with a sink that copies each row it receives into this table (rows are
    /// distinct, so concurrent calls write disjoint memory).
    mutating func withRowWriter(_ body: (@escaping NeighborSink) -> Void) {
        let k = self.k
        distances.withUnsafeMutableBufferPointer { distances in
            indices.withUnsafeMutableBufferPointer { indices in
                let shared = UncheckedSendable(value: (distances.baseAddress!, indices.baseAddress!))
                body { row, rowDistances, rowIndices in
                    let (distances, indices) = shared.value
                    (distances + row * k).update(from: rowDistances, count: k)
                    (indices + row * k).update(from: rowIndices, count: k)
                }
            }
        }
    }

    /// Number of query rows.
    var rows: Int { k == 0 ? 0 : distances.count / k }
}

/// A value that may cross into `concurrentPerform` although the compiler cannot prove it
/// safe: used only for raw buffers whose rows each worker writes disjointly.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
}

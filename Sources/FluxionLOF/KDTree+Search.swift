import Dispatch
import Foundation
import Synchronization

/// Receives one query's neighbours: its row, then `k` distances and `k` training indices in
/// ascending (distance, index) order, valid only during the call. With `parallel`, called
/// from several threads at once, for distinct rows.
typealias NeighborSink = @Sendable (Int, UnsafePointer<Double>, UnsafePointer<Int>) -> Void

extension KDTree {
    /// The `k` nearest indexed points of every row of `queries` (`k <= count`).
    /// - Parameter parallel: spread the queries over all cores (`concurrentPerform`).
    func neighbors(of queries: FeatureMatrix, k: Int, parallel: Bool = false) -> NeighborTable {
        var table = NeighborTable(uninitializedRows: queries.count, k: k)
        table.withRowWriter { sink in forEachNeighborRow(of: queries, k: k, parallel: parallel, sink) }
        return table
    }

    /// Hands the `k` nearest indexed points of each row of `queries` to `sink` as soon as
    /// they are found (no table: the caller can reduce each row on the worker's thread).
    func forEachNeighborRow(of queries: FeatureMatrix, k: Int, parallel: Bool, _ sink: @escaping NeighborSink) {
        precondition(queries.dimension == dimension && k >= 1 && k <= count)
        let treeQueries = axes?.rotate(queries, parallel: parallel) ?? queries.values
        let order = spatialOrder(of: treeQueries, count: queries.count, parallel: parallel)
        queries.values.withUnsafeBufferPointer { q in
            treeQueries.withUnsafeBufferPointer { t in
                order.withUnsafeBufferPointer { order in
                    run(rows: queries.count, k: k, parallel: parallel, queries: (q, t), order: order, sink: sink)
                }
            }
        }
    }

    /// Query rows sorted by the leaf each falls in: consecutive queries then touch the same
    /// part of the tree, which keeps it in cache (about 5% faster on random-order input).
    /// `queries` holds `count` points in tree coordinates.
    private func spatialOrder(of queries: [Double], count: Int, parallel: Bool) -> [Int] {
        var leaf = [Int](repeating: 0, count: count)
        leaf.withUnsafeMutableBufferPointer { leaf in
            let shared = UncheckedSendable(value: leaf.baseAddress!)
            ParallelChunks.forEach(count, parallel: parallel) { range in
                for row in range {
                    var node = 0
                    while nodes[node * 4 + 2] >= 0 {
                        let goLeft = queries[row * dimension + nodes[node * 4 + 3]] <= splitValues[node]
                        node = goLeft ? node + 1 : nodes[node * 4 + 2]
                    }
                    shared.value[row] = node
                }
            }
        }
        // Counting sort by node id (pre-order ids follow the tree's spatial order).
        var start = [Int](repeating: 0, count: nodes.count / 4 + 1)
        for node in leaf { start[node + 1] += 1 }
        for node in 0..<nodes.count / 4 { start[node + 1] += start[node] }
        var order = [Int](repeating: 0, count: count)
        for row in 0..<count {
            order[start[leaf[row]]] = row
            start[leaf[row]] += 1
        }
        return order
    }

    /// The `k` nearest *other* indexed points of every indexed point (`k < count`), rows in
    /// original order: scikit-learn's `kneighbors()` with `X=None`, which drops each point
    /// itself. Which of several duplicates is dropped cannot change a distance, so the
    /// distance rows equal scikit-learn's exactly.
    func neighborsOfIndexedPoints(k: Int, parallel: Bool = false) -> NeighborTable {
        precondition(k >= 1 && k < count)
        var table = NeighborTable(uninitializedRows: count, k: k)
        table.withRowWriter { sink in
            run(rows: count, k: k, parallel: parallel, queries: nil, order: nil, sink: sink)
        }
        return table
    }

    /// Splits `rows` queries into chunks of 256, run in order or by one worker per core, each
    /// worker taking the next chunk as it finishes one (so a core lost to another process
    /// does not hold up the rest) and keeping its scratch buffers throughout. Query `i` is
    /// row `order[i]` of `queries` (original and tree coordinates); with `queries == nil`
    /// the indexed points query themselves in tree order, each excluding itself and
    /// reported under its original index.
    private func run(
        rows: Int, k: Int, parallel: Bool,
        queries: (original: UnsafeBufferPointer<Double>, tree: UnsafeBufferPointer<Double>)?,
        order: UnsafeBufferPointer<Int>?, sink: @escaping NeighborSink
    ) {
        let chunkSize = 256
        let chunks = (rows + chunkSize - 1) / chunkSize
        let workers = parallel ? max(1, min(chunks, ProcessInfo.processInfo.activeProcessorCount)) : 1
        let next = ChunkCounter()
        let d = dimension
        withView { tree in
            let shared = UncheckedSendable(value: (tree, queries, order))
            let work: @Sendable (Int) -> Void = { _ in
                let (tree, queries, order) = shared.value
                var search = KDTreeSearch(tree: tree, k: k)
                let distances = UnsafeMutablePointer<Double>.allocate(capacity: k)
                let indices = UnsafeMutablePointer<Int>.allocate(capacity: k)
                defer { search.deallocate(); distances.deallocate(); indices.deallocate() }
                while true {
                    let chunk = next.take()
                    if chunk >= chunks { break }
                    for row in chunk * chunkSize..<min(rows, (chunk + 1) * chunkSize) {
                        if let queries, let order {
                            let query = order[row]
                            search.query(
                                queries.original.baseAddress! + query * d,
                                inTree: queries.tree.baseAddress! + query * d, exclude: -1,
                                distances: distances, indices: indices)
                            sink(query, distances, indices)
                        } else {
                            search.query(
                                tree.points.baseAddress! + row * d, inTree: tree.treePoints.baseAddress! + row * d,
                                exclude: row, distances: distances, indices: indices)
                            sink(tree.original[row], distances, indices)
                        }
                    }
                }
            }
            if workers == 1 {
                work(0)
            } else {
                DispatchQueue.concurrentPerform(iterations: workers, execute: work)
            }
        }
    }

    /// Calls `body` with raw views of the tree's arrays, valid only during the call.
    private func withView<R>(_ body: (KDTreeView) -> R) -> R {
        treePoints.withUnsafeBufferPointer { treePoints in
            points.withUnsafeBufferPointer { points in
                floatColumns.withUnsafeBufferPointer { floatColumns in
                    nodes.withUnsafeBufferPointer { nodes in
                        boxes.withUnsafeBufferPointer { boxes in
                            splitValues.withUnsafeBufferPointer { splitValues in
                                center.withUnsafeBufferPointer { center in
                                    originalIndex.withUnsafeBufferPointer { original in
                                        body(
                                            KDTreeView(
                                                dimension: dimension, count: count, columnStride: columnStride,
                                                halfRange: halfRange, points: points, treePoints: treePoints,
                                                axes: axes,
                                                floatColumns: floatColumns, nodes: nodes, boxes: boxes,
                                                splitValues: splitValues, center: center,
                                                original: original))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Raw, read-only views of a `KDTree`'s arrays (see `KDTree` for each field's layout),
/// valid inside `KDTree.withView`; searches on several threads share one.
struct KDTreeView {
    let dimension: Int
    let count: Int
    let columnStride: Int
    let halfRange: Double
    let points: UnsafeBufferPointer<Double>
    let treePoints: UnsafeBufferPointer<Double>
    let axes: PrincipalAxes?
    let floatColumns: UnsafeBufferPointer<Float>
    let nodes: UnsafeBufferPointer<Int>
    let boxes: UnsafeBufferPointer<Double>
    let splitValues: UnsafeBufferPointer<Double>
    let center: UnsafeBufferPointer<Double>
    let original: UnsafeBufferPointer<Int>
}

extension KDTreeView {
    /// The squared distance from `query` to the point at tree `position`, summed in
    /// feature order as scikit-learn's KD-tree sums it.
    @inline(__always)
    func exactSquaredDistance(_ query: UnsafePointer<Double>, position: Int) -> Double {
        let row = points.baseAddress! + position &* dimension
        var sum = 0.0
        for j in 0..<dimension {
            let t = query[j] - row[j]
            sum += t * t
        }
        return sum
    }
}

/// Hands out chunk numbers 0, 1, 2, … to the workers of `KDTree.run`.
final class ChunkCounter: Sendable {
    private let next = Atomic<Int>(0)

    /// The next chunk number.
    func take() -> Int {
        next.add(1, ordering: .relaxed).oldValue
    }
}

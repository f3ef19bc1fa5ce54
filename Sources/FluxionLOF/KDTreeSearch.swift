/// One worker's k-nearest-neighbour search over a `KDTree`: raw views of the tree, scratch
/// for the candidates and a node stack. Used by one thread at a time.
///
/// Depth-first: walk down the query's side of each split (the near child inherits its
/// parent's bound), pushing each far child whose split plane is within the current limit;
/// a popped node's exact bounding box is measured then, against the limit of that moment,
/// and the node skipped if it is farther. Leaves are scanned by `FilteredLeafScan` (Float,
/// exact distances only for the final candidates) or, for coordinates too large for Float,
/// by `ExactLeafScan`. Exact distances are summed in feature order as scikit-learn sums
/// them, so every distance returned has scikit-learn's bits.
struct KDTreeSearch {
    let tree: KDTreeView
    let k: Int
    /// Candidate keys of `FilteredLeafScan` (one per indexed point, plus one).
    private let keys: UnsafeMutablePointer<UInt64>
    /// Exact squared distances and original indices being ranked (one per indexed point).
    private let squared: UnsafeMutablePointer<Double>
    private let index: UnsafeMutablePointer<Int>
    /// Pending nodes with a lower bound on their squared tree distance.
    private let stackNode: UnsafeMutablePointer<Int>
    private let stackBound: UnsafeMutablePointer<Double>
    /// The current query minus `center`, rounded to Float.
    private let floatQuery: UnsafeMutablePointer<Float>

    /// A search over `tree` for the k nearest.
    init(tree: KDTreeView, k: Int) {
        self.tree = tree
        self.k = k
        floatQuery = .allocate(capacity: tree.dimension)
        keys = .allocate(capacity: tree.count + 1)
        squared = .allocate(capacity: tree.count + 1)
        index = .allocate(capacity: tree.count + 1)
        // At most one pending far child per tree level is on the stack at once, so the
        // node count is a (generous) bound.
        let nodeCount = tree.nodes.count / 4
        stackNode = .allocate(capacity: nodeCount + 1)
        stackBound = .allocate(capacity: nodeCount + 1)
    }

    /// Frees the scratch buffers; call once when the worker is done.
    func deallocate() {
        keys.deallocate(); squared.deallocate(); index.deallocate()
        stackNode.deallocate(); stackBound.deallocate(); floatQuery.deallocate()
    }

    /// Finds the k nearest points to `query` (original coordinates; `treeQuery` is the same
    /// point in tree coordinates) other than the one at tree position `exclude` (-1 for
    /// none) and writes them, as distances in ascending (distance, index) order, to
    /// `distances` and `indices` (`k` each).
    mutating func query(
        _ query: UnsafePointer<Double>, inTree treeQuery: UnsafePointer<Double>, exclude: Int,
        distances: UnsafeMutablePointer<Double>, indices: UnsafeMutablePointer<Int>
    ) {
        let dimension = tree.dimension
        var reach = tree.halfRange
        for j in 0..<dimension {
            let centred = treeQuery[j] - tree.center[j]
            floatQuery[j] = Float(centred)
            reach = max(reach, abs(centred))
        }
        let bounds: DistanceBounds
        if let axes = tree.axes {
            var queryReach = 0.0
            for j in 0..<dimension { queryReach = max(queryReach, abs(query[j] - axes.mean[j])) }
            guard let rotated = axes.bounds(queryReach: queryReach, treeReach: reach) else {
                // Too far out to rotate safely (beyond 1e150): compare with every point.
                var scan = ExactLeafScan(
                    k: k, tree: tree, query: query, bestSquared: squared, bestIndex: index, exclude: exclude,
                    bounds: DistanceBounds(dimension: dimension, reach: 0))
                scan.scan(from: 0, to: tree.count)
                scan.finish(distances: distances, indices: indices)
                return
            }
            bounds = rotated
        } else {
            bounds = DistanceBounds(dimension: dimension, reach: reach)
        }
        // Float squares of differences up to 2·reach must stay finite.
        if reach < 1e15 {
            var scan = FilteredLeafScan(
                dimension: dimension, k: k, columns: UnsafeRawPointer(tree.floatColumns.baseAddress!),
                columnBytes: tree.columnStride &* MemoryLayout<Float>.stride, floatQuery: floatQuery, keys: keys,
                exclude: exclude, bounds: bounds)
            traverse(treeQuery, &scan)
            scan.finish(
                query: query, tree: tree, squared: squared, index: index, distances: distances, indices: indices)
        } else {
            var scan = ExactLeafScan(
                k: k, tree: tree, query: query, bestSquared: squared, bestIndex: index, exclude: exclude,
                bounds: bounds)
            traverse(treeQuery, &scan)
            scan.finish(distances: distances, indices: indices)
        }
    }

    /// Visits the leaves that may hold a point within `scan.pruneLimit` of `query` (tree
    /// coordinates), nearest side first, and hands them to `scan`.
    @inline(__always)
    private func traverse<Scan: LeafScan>(_ query: UnsafePointer<Double>, _ scan: inout Scan) {
        let nodes = tree.nodes
        let splitValues = tree.splitValues
        var top = 0
        var node = 0
        var bound = 0.0
        var exactBound = true  // `bound` is this node's own box distance, not its parent's
        while true {
            // `>` and not `>=`: a box at exactly the limit may hold a lower index.
            if bound <= scan.pruneLimit {
                // Walk down the query's side of each split; the near child inherits the
                // parent's bound (still a lower bound), only the far child's box is measured.
                var right = nodes[node &* 4 &+ 2]
                while right >= 0 {
                    let feature = nodes[node &* 4 &+ 3]
                    let across = query[feature] - splitValues[node]
                    let goLeft = across <= 0
                    let far = goLeft ? right : node &+ 1
                    // Pushed with the cheap bound (distance to the split plane); its box is
                    // measured only if still needed when popped, against a tighter limit.
                    let planeBound = across * across
                    if planeBound <= scan.pruneLimit {
                        stackNode[top] = far; stackBound[top] = planeBound; top &+= 1
                    }
                    node = goLeft ? node &+ 1 : right
                    exactBound = false
                    right = nodes[node &* 4 &+ 2]
                }
                if exactBound || boxDistance(query, node: node) <= scan.pruneLimit {
                    scan.scan(from: nodes[node &* 4], to: nodes[node &* 4 &+ 1])
                }
            }
            if top == 0 { break }
            top &-= 1
            node = stackNode[top]
            bound = stackBound[top] <= scan.pruneLimit ? boxDistance(query, node: node) : stackBound[top]
            exactBound = true
        }
    }

    /// Squared distance from `query` to the bounding box of `node`, summed in feature order
    /// like a point distance (each term is at most the point's term, and rounding is
    /// monotonic), so it never exceeds the computed distance of any point inside.
    @inline(__always)
    private func boxDistance(_ query: UnsafePointer<Double>, node: Int) -> Double {
        let dimension = tree.dimension
        let boxes = tree.boxes
        let lower = node &* 2 &* dimension
        let upper = lower &+ dimension
        var sum = 0.0
        for j in 0..<dimension {
            let q = query[j]
            let below = boxes[lower &+ j] - q
            let above = q - boxes[upper &+ j]
            let b = below > 0 ? below : 0
            let a = above > 0 ? above : 0
            sum += b * b + a * a  // at most one of the two is non-zero: the term is exact
        }
        return sum
    }
}

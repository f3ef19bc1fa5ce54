import Dispatch

extension KDTree {
    /// The `k` nearest indexed points of every row of `queries` (`k <= count`).
    /// - Parameter parallel: spread the queries over all cores (`concurrentPerform`).
    func neighbors(of queries: FeatureMatrix, k: Int, parallel: Bool = false) -> NeighborTable {
        precondition(queries.dimension == dimension && k >= 1 && k <= count)
        return queries.values.withUnsafeBufferPointer { q in
            run(rows: queries.count, k: k, parallel: parallel, queries: q)
        }
    }

    /// The `k` nearest *other* indexed points of every indexed point (`k < count`), rows in
    /// original order: scikit-learn's `kneighbors()` with `X=None`, which drops each point
    /// itself. Which of several duplicates is dropped cannot change a distance, so the
    /// distance rows equal scikit-learn's exactly.
    func neighborsOfIndexedPoints(k: Int, parallel: Bool = false) -> NeighborTable {
        precondition(k >= 1 && k < count)
        return run(rows: count, k: k, parallel: parallel, queries: nil)
    }

    /// Splits `rows` queries into chunks of 256, run in order or concurrently. With `queries == nil` the
    /// indexed points query themselves in tree order (spatially coherent), each excluding
    /// itself and writing its row at its original index.
    private func run(
        rows: Int, k: Int, parallel: Bool, queries: UnsafeBufferPointer<Double>?
    ) -> NeighborTable {
        var table = NeighborTable(rows: rows, k: k)
        let chunkSize = 256
        let chunks = (rows + chunkSize - 1) / chunkSize
        let d = dimension
        points.withUnsafeBufferPointer { points in
            nodes.withUnsafeBufferPointer { nodes in
                boxes.withUnsafeBufferPointer { boxes in
                    originalIndex.withUnsafeBufferPointer { original in
                        table.distances.withUnsafeMutableBufferPointer { outDistances in
                            table.indices.withUnsafeMutableBufferPointer { outIndices in
                                let shared = UncheckedSendable(value: (
                                    points, nodes, boxes, original, outDistances, outIndices,
                                    queries))
                                let work: @Sendable (Int) -> Void = { chunk in
                                    let (p, n, b, o, dist, ind, q) = shared.value
                                    var search = Search(
                                        dimension: d, k: k, points: p, nodes: n, boxes: b,
                                        original: o, outDistances: dist, outIndices: ind)
                                    defer { search.deallocate() }
                                    let end = min(rows, (chunk + 1) * chunkSize)
                                    for row in chunk * chunkSize ..< end {
                                        if let q {
                                            search.query(q.baseAddress! + row * d, exclude: -1, row: row)
                                        } else {
                                            search.query(
                                                p.baseAddress! + row * d, exclude: o[row], row: o[row])
                                        }
                                    }
                                }
                                if !parallel || chunks <= 1 {
                                    for chunk in 0 ..< chunks { work(chunk) }
                                } else {
                                    DispatchQueue.concurrentPerform(iterations: chunks, execute: work)
                                }
                            }
                        }
                    }
                }
            }
        }
        return table
    }
}

/// One worker's search state: raw views of the tree, a sorted best-k list and a node stack.
/// Not shared between threads.
struct Search {
    let dimension: Int
    let k: Int
    let points: UnsafeBufferPointer<Double>
    let nodes: UnsafeBufferPointer<Int>
    let boxes: UnsafeBufferPointer<Double>
    let original: UnsafeBufferPointer<Int>
    let outDistances: UnsafeMutableBufferPointer<Double>
    let outIndices: UnsafeMutableBufferPointer<Int>
    /// Best squared distances so far, ascending, and their original indices.
    private let bestSquared: UnsafeMutablePointer<Double>
    private let bestIndex: UnsafeMutablePointer<Int>
    /// Pending nodes with the squared distance from the query to their box.
    private let stackNode: UnsafeMutablePointer<Int>
    private let stackBound: UnsafeMutablePointer<Double>

    init(
        dimension: Int, k: Int, points: UnsafeBufferPointer<Double>,
        nodes: UnsafeBufferPointer<Int>, boxes: UnsafeBufferPointer<Double>,
        original: UnsafeBufferPointer<Int>, outDistances: UnsafeMutableBufferPointer<Double>,
        outIndices: UnsafeMutableBufferPointer<Int>
    ) {
        self.dimension = dimension
        self.k = k
        self.points = points
        self.nodes = nodes
        self.boxes = boxes
        self.original = original
        self.outDistances = outDistances
        self.outIndices = outIndices
        bestSquared = .allocate(capacity: k)
        bestIndex = .allocate(capacity: k)
        // Depth-first with both children pushed: at most one pending sibling per level,
        // and median splits keep the depth under 64 for any point count.
        let nodeCount = nodes.count / 4
        stackNode = .allocate(capacity: nodeCount + 1)
        stackBound = .allocate(capacity: nodeCount + 1)
    }

    func deallocate() {
        bestSquared.deallocate(); bestIndex.deallocate()
        stackNode.deallocate(); stackBound.deallocate()
    }

    /// Finds the k nearest points to `query` other than original index `exclude` (-1 for
    /// none) and writes them, as distances, into output row `row`.
    mutating func query(_ query: UnsafePointer<Double>, exclude: Int, row: Int) {
        let d = dimension
        var found = 0
        var worst = Double.infinity  // squared distance of the k-th best once `found == k`
        var top = 0
        stackNode[0] = 0
        stackBound[0] = 0
        top = 1
        while top > 0 {
            top -= 1
            let node = stackNode[top]
            // `>` and not `>=`: a box at exactly the k-th distance may hold a lower index.
            if stackBound[top] > worst { continue }
            let left = nodes[node * 4 + 2]
            if left < 0 {
                for position in nodes[node * 4] ..< nodes[node * 4 + 1] {
                    let base = position * d
                    var sum = 0.0
                    for j in 0 ..< d {
                        let t = query[j] - points[base + j]
                        sum += t * t
                    }
                    if sum > worst { continue }
                    let index = original[position]
                    if index == exclude { continue }
                    if found == k {
                        if sum == worst && index > bestIndex[k - 1] { continue }
                    } else {
                        found += 1
                    }
                    // Insertion into the ascending (distance, index) list.
                    var slot = found - 1
                    while slot > 0 {
                        let s = bestSquared[slot - 1]
                        if s < sum || (s == sum && bestIndex[slot - 1] < index) { break }
                        bestSquared[slot] = s
                        bestIndex[slot] = bestIndex[slot - 1]
                        slot -= 1
                    }
                    bestSquared[slot] = sum
                    bestIndex[slot] = index
                    if found == k { worst = bestSquared[k - 1] }
                }
                continue
            }
            let right = nodes[node * 4 + 3]
            let leftBound = boxDistance(query, node: left)
            let rightBound = boxDistance(query, node: right)
            // Push the farther child first so the nearer one is searched first.
            let (near, nearBound, far, farBound) = leftBound <= rightBound
                ? (left, leftBound, right, rightBound) : (right, rightBound, left, leftBound)
            if farBound <= worst {
                stackNode[top] = far; stackBound[top] = farBound; top += 1
            }
            if nearBound <= worst {
                stackNode[top] = near; stackBound[top] = nearBound; top += 1
            }
        }
        let out = row * k
        for slot in 0 ..< k {
            outDistances[out + slot] = bestSquared[slot].squareRoot()
            outIndices[out + slot] = bestIndex[slot]
        }
    }

    /// Squared distance from `query` to the bounding box of `node`, summed in feature order
    /// like a point distance, so it never exceeds the computed distance of a point inside.
    @inline(__always)
    private func boxDistance(_ query: UnsafePointer<Double>, node: Int) -> Double {
        let d = dimension
        let lower = node * 2 * d
        let upper = lower + d
        var sum = 0.0
        for j in 0 ..< d {
            let q = query[j]
            let below = boxes[lower + j] - q
            if below > 0 {
                sum += below * below
            } else {
                let above = q - boxes[upper + j]
                if above > 0 { sum += above * above }
            }
        }
        return sum
    }
}

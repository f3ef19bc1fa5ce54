/// One worker's k-nearest-neighbour search over a `KDTree`: raw views of the tree, a sorted
/// best-k list and a node stack. Used by one thread at a time.
///
/// Depth-first, nearer child first; a node is skipped when the distance from the query to
/// its bounding box exceeds the current k-th best. Leaves are scanned four points at a time
/// (one SIMD lane per point, features summed in order in each lane, so every distance has
/// the bits of the scalar sum).
struct Search {
    let dimension: Int
    let k: Int
    let columns: UnsafeBufferPointer<Double>
    let columnStride: Int
    let nodes: UnsafeBufferPointer<Int>
    let boxes: UnsafeBufferPointer<Double>
    let splitValues: UnsafeBufferPointer<Double>
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
        dimension: Int, k: Int, columns: UnsafeBufferPointer<Double>, columnStride: Int,
        nodes: UnsafeBufferPointer<Int>, boxes: UnsafeBufferPointer<Double>,
        splitValues: UnsafeBufferPointer<Double>, original: UnsafeBufferPointer<Int>, outDistances: UnsafeMutableBufferPointer<Double>,
        outIndices: UnsafeMutableBufferPointer<Int>
    ) {
        self.dimension = dimension
        self.k = k
        self.columns = columns
        self.columnStride = columnStride
        self.nodes = nodes
        self.boxes = boxes
        self.splitValues = splitValues
        self.original = original
        self.outDistances = outDistances
        self.outIndices = outIndices
        bestSquared = .allocate(capacity: k)
        bestIndex = .allocate(capacity: k)
        // Depth-first with both children pushed: at most one pending sibling per level,
        // so the node count is a (generous) bound.
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
        var found = 0
        var worst = Double.infinity  // squared distance of the k-th best once `found == k`
        var top = 0
        var node = 0
        var bound = 0.0
        var exactBound = true  // `bound` is this node's own box distance, not its parent's
        while true {
            // `>` and not `>=`: a box at exactly the k-th distance may hold a lower index.
            if bound <= worst {
                // Walk down the query's side of each split; the near child inherits the
                // parent's bound (still a lower bound), only the far child's box is measured.
                var right = nodes[node &* 4 &+ 2]
                while right >= 0 {
                    let feature = nodes[node &* 4 &+ 3]
                    let goLeft = query[feature] <= splitValues[node]
                    let far = goLeft ? right : node &+ 1
                    let farBound = boxDistance(query, node: far)
                    if farBound <= worst {
                        stackNode[top] = far; stackBound[top] = farBound; top &+= 1
                    }
                    node = goLeft ? node &+ 1 : right
                    exactBound = false
                    right = nodes[node &* 4 &+ 2]
                }
                if exactBound || boxDistance(query, node: node) <= worst {
                    scanLeaf(
                        query, from: nodes[node &* 4], to: nodes[node &* 4 &+ 1], exclude: exclude,
                        found: &found, worst: &worst)
                }
            }
            if top == 0 { break }
            top &-= 1
            node = stackNode[top]
            bound = stackBound[top]
            exactBound = true
        }
        let out = row &* k
        for slot in 0 ..< k {
            outDistances[out &+ slot] = bestSquared[slot].squareRoot()
            outIndices[out &+ slot] = bestIndex[slot]
        }
    }

    /// Distances from `query` to tree positions `from ..< to`, four at a time, each offered
    /// to the best-k list.
    @inline(__always)
    private func scanLeaf(
        _ query: UnsafePointer<Double>, from: Int, to: Int, exclude: Int,
        found: inout Int, worst: inout Double
    ) {
        let base = UnsafeRawPointer(columns.baseAddress!)
        let rowBytes = columnStride &* MemoryLayout<Double>.stride
        var position = from
        while position < to {
            var sum = SIMD4<Double>(repeating: 0)
            var address = base + position &* MemoryLayout<Double>.stride
            for j in 0 ..< dimension {
                let t = SIMD4<Double>(repeating: query[j]) - address.loadUnaligned(as: SIMD4<Double>.self)
                sum += t * t
                address += rowBytes
            }
            if any(sum .<= SIMD4<Double>(repeating: worst)) {
                for lane in 0 ..< min(4, to &- position) where sum[lane] <= worst {
                    offer(sum[lane], original[position &+ lane], exclude: exclude, found: &found, worst: &worst)
                }
            }
            position &+= 4
        }
    }

    /// Inserts (squared distance, index) into the ascending (distance, index) best list if
    /// it belongs among the k smallest.
    @inline(__always)
    private func offer(_ sum: Double, _ index: Int, exclude: Int, found: inout Int, worst: inout Double) {
        if index == exclude { return }
        if found == k {
            if sum == worst && index > bestIndex[k &- 1] { return }
        } else {
            found &+= 1
        }
        var slot = found &- 1
        while slot > 0 {
            let s = bestSquared[slot &- 1]
            if s < sum || (s == sum && bestIndex[slot &- 1] < index) { break }
            bestSquared[slot] = s
            bestIndex[slot] = bestIndex[slot &- 1]
            slot &-= 1
        }
        bestSquared[slot] = sum
        bestIndex[slot] = index
        if found == k { worst = bestSquared[k &- 1] }
    }

    /// Squared distance from `query` to the bounding box of `node`, summed in feature order
    /// like a point distance (each term is at most the point's term, and rounding is
    /// monotonic), so it never exceeds the computed distance of any point inside.
    @inline(__always)
    private func boxDistance(_ query: UnsafePointer<Double>, node: Int) -> Double {
        let lower = node &* 2 &* dimension
        let upper = lower &+ dimension
        var sum = 0.0
        for j in 0 ..< dimension {
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

/// One worker's k-nearest-neighbour search over a `KDTree`: raw views of the tree, a sorted
/// best-k list and a node stack. Used by one thread at a time.
///
/// Depth-first: walk down the query's side of each split (the near child inherits its
/// parent's bound), pushing each far child whose split plane is within the current k-th
/// best; a popped node's exact bounding box is measured then, against the k-th best of that
/// moment, and the node skipped if it is farther. Leaves are scanned eight points at a time in Float as a filter that provably
/// never drops a qualifying point; survivors get the exact Double distance, summed in
/// feature order as scikit-learn sums it, so every kept distance has scikit-learn's bits.
struct KDTreeSearch {
    let dimension: Int
    let k: Int
    let columnStride: Int
    let nodes: UnsafeBufferPointer<Int>
    let boxes: UnsafeBufferPointer<Double>
    let splitValues: UnsafeBufferPointer<Double>
    let points: UnsafeBufferPointer<Double>
    let floatColumns: UnsafeBufferPointer<Float>
    let center: UnsafeBufferPointer<Double>
    let halfRange: Double
    let original: UnsafeBufferPointer<Int>
    let outDistances: UnsafeMutableBufferPointer<Double>
    let outIndices: UnsafeMutableBufferPointer<Int>
    /// Best squared distances so far, ascending, and their original indices.
    private let bestSquared: UnsafeMutablePointer<Double>
    private let bestIndex: UnsafeMutablePointer<Int>
    /// Pending nodes with the squared distance from the query to their box.
    private let stackNode: UnsafeMutablePointer<Int>
    private let stackBound: UnsafeMutablePointer<Double>
    /// The current query minus `center`, rounded to Float.
    private let floatQuery: UnsafeMutablePointer<Float>
    /// Rounding allowance of the Float filter for the current query (see `filterLimit`).
    private var allowance = 0.0
    /// False when coordinates are too large for Float: leaves are then scanned exactly.
    private var filterUsable = true

    /// A search over `tree` for the k nearest, writing into the output tables.
    init(
        tree: KDTreeView, k: Int, outDistances: UnsafeMutableBufferPointer<Double>,
        outIndices: UnsafeMutableBufferPointer<Int>
    ) {
        dimension = tree.dimension
        self.k = k
        columnStride = tree.columnStride
        nodes = tree.nodes
        boxes = tree.boxes
        splitValues = tree.splitValues
        points = tree.points
        floatColumns = tree.floatColumns
        center = tree.center
        halfRange = tree.halfRange
        original = tree.original
        self.outDistances = outDistances
        self.outIndices = outIndices
        floatQuery = .allocate(capacity: dimension)
        bestSquared = .allocate(capacity: k)
        bestIndex = .allocate(capacity: k)
        // At most one pending far child per tree level is on the stack at once, so the
        // node count is a (generous) bound.
        let nodeCount = nodes.count / 4
        stackNode = .allocate(capacity: nodeCount + 1)
        stackBound = .allocate(capacity: nodeCount + 1)
    }

    /// Frees the scratch buffers; call once when the worker is done.
    func deallocate() {
        bestSquared.deallocate(); bestIndex.deallocate()
        stackNode.deallocate(); stackBound.deallocate(); floatQuery.deallocate()
    }

    /// Finds the k nearest points to `query` other than original index `exclude` (-1 for
    /// none) and writes them, as distances, into output row `row`.
    mutating func query(_ query: UnsafePointer<Double>, exclude: Int, row: Int) {
        var reach = halfRange
        for j in 0..<dimension {
            let centred = query[j] - center[j]
            floatQuery[j] = Float(centred)
            reach = max(reach, abs(centred))
        }
        allowance = 2.2 * Self.unit * reach * Double(dimension).squareRoot()
        // Float squares of differences up to 2·reach must stay finite.
        filterUsable = reach < 1e15
        var found = 0
        var worst = Double.infinity  // squared distance of the k-th best once `found == k`
        var limitWorst = Double.infinity
        var limit = Float.infinity
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
                    let across = query[feature] - splitValues[node]
                    let goLeft = across <= 0
                    let far = goLeft ? right : node &+ 1
                    // Pushed with the cheap bound (distance to the split plane); its box is
                    // measured only if still needed when popped, against a tighter k-th best.
                    let planeBound = across * across
                    if planeBound <= worst {
                        stackNode[top] = far; stackBound[top] = planeBound; top &+= 1
                    }
                    node = goLeft ? node &+ 1 : right
                    exactBound = false
                    right = nodes[node &* 4 &+ 2]
                }
                if exactBound || boxDistance(query, node: node) <= worst {
                    scanLeaf(
                        query, from: nodes[node &* 4], to: nodes[node &* 4 &+ 1], exclude: exclude,
                        found: &found, worst: &worst, limit: &limit, limitWorst: &limitWorst)
                }
            }
            if top == 0 { break }
            top &-= 1
            node = stackNode[top]
            bound = stackBound[top] <= worst ? boxDistance(query, node: node) : stackBound[top]
            exactBound = true
        }
        let out = row &* k
        for slot in 0..<k {
            outDistances[out &+ slot] = bestSquared[slot].squareRoot()
            outIndices[out &+ slot] = bestIndex[slot]
        }
    }

    /// Float unit roundoff, 2⁻²⁴.
    static let unit = 0x1p-24

    /// The Float filter's threshold for the k-th best squared distance `worst`.
    ///
    /// With `c` the centre, `M` the largest `|x_j − c_j|` over the points and the query,
    /// and `u = 2⁻²⁴`: each Float difference `t̃_j` of the centred, rounded coordinates is
    /// within `2.1·u·M` of the exact `q_j − p_j` (then rounded once more), so by Minkowski
    /// `‖t̃‖ ≤ (1+u)(‖q − p‖ + 2.1·u·M·√d)`, and the Float sum of squares adds at most
    /// `(d+1)·u` relatively. A point whose Double distance is ≤ `worst` therefore has a
    /// Float distance ≤ the value returned (with spare margin, rounded up to Float, plus a
    /// tiny absolute term for subnormals); only points passing it get the exact Double sum.
    /// Returns infinity (no filtering) where Float could overflow.
    @inline(__always)
    private func filterLimit(_ worst: Double) -> Float {
        guard worst < 1e30 else { return .infinity }
        let u = Self.unit
        let root = worst.squareRoot() * (1 + u) + allowance
        let limit = root * root * (1 + Double(dimension + 5) * u * 1.1) * (1 + 3 * u) + 1e-30
        return Float(limit)
    }

    /// Offers the points at tree positions `from ..< to` to the best-k list.
    ///
    /// Eight points per step in Float (centred coordinates, one SIMD lane per point) as a
    /// filter that provably never rejects a point whose exact distance would qualify; the
    /// survivors get the exact Double sum in feature order, so every distance kept has the
    /// bits of scikit-learn's.
    @inline(__always)
    /// `limit` is `filterLimit(limitWorst)`, carried between leaves and recomputed only
    /// when the k-th best has changed.
    private func scanLeaf(
        _ query: UnsafePointer<Double>, from: Int, to: Int, exclude: Int,
        found: inout Int, worst: inout Double, limit: inout Float, limitWorst: inout Double
    ) {
        guard filterUsable else {
            for candidate in from..<to {
                let exact = exactDistance(query, candidate)
                if exact <= worst {
                    offer(exact, original[candidate], exclude: exclude, found: &found, worst: &worst)
                }
            }
            return
        }
        let base = UnsafeRawPointer(floatColumns.baseAddress!)
        let rowBytes = columnStride &* MemoryLayout<Float>.stride
        if limitWorst != worst {
            limit = filterLimit(worst)
            limitWorst = worst
        }
        var limits = SIMD8<Float>(repeating: limit)
        var position = from
        while position < to {
            var sum = SIMD8<Float>(repeating: 0)
            var address = base + position &* MemoryLayout<Float>.stride
            for j in 0..<dimension {
                let t = SIMD8<Float>(repeating: floatQuery[j]) - address.loadUnaligned(as: SIMD8<Float>.self)
                sum += t * t
                address += rowBytes
            }
            let pass = sum .<= limits
            if any(pass) {
                let before = worst
                for lane in 0..<min(8, to &- position) where pass[lane] {
                    let candidate = position &+ lane
                    let exact = exactDistance(query, candidate)
                    if exact <= worst {
                        offer(exact, original[candidate], exclude: exclude, found: &found, worst: &worst)
                    }
                }
                if worst != before {
                    limit = filterLimit(worst)
                    limitWorst = worst
                    limits = SIMD8<Float>(repeating: limit)
                }
            }
            position &+= 8
        }
    }

    /// The squared distance from `query` to the point at tree `position`, summed in
    /// feature order as scikit-learn's KD-tree sums it.
    @inline(__always)
    private func exactDistance(_ query: UnsafePointer<Double>, _ position: Int) -> Double {
        let row = points.baseAddress! + position &* dimension
        var sum = 0.0
        for j in 0..<dimension {
            let t = query[j] - row[j]
            sum += t * t
        }
        return sum
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

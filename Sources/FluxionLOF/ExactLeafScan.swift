/// The leaf scan of one query in Double only, for coordinates too large for the Float
/// filter (`FilteredLeafScan`): every point's exact distance, kept in a sorted best-k list.
struct ExactLeafScan: LeafScan {
    let k: Int
    let tree: KDTreeView
    /// The query in original coordinates.
    let query: UnsafePointer<Double>
    /// Best squared distances so far, ascending, and their original indices.
    let bestSquared: UnsafeMutablePointer<Double>
    let bestIndex: UnsafeMutablePointer<Int>
    /// Tree position of the query itself (training points), -1 for none.
    let exclude: Int
    let bounds: DistanceBounds
    private var found = 0
    /// Squared distance of the k-th best once `found == k`.
    private var worst = Double.infinity
    private(set) var pruneLimit = Double.infinity

    init(
        k: Int, tree: KDTreeView, query: UnsafePointer<Double>, bestSquared: UnsafeMutablePointer<Double>,
        bestIndex: UnsafeMutablePointer<Int>, exclude: Int, bounds: DistanceBounds
    ) {
        self.k = k
        self.tree = tree
        self.query = query
        self.bestSquared = bestSquared
        self.bestIndex = bestIndex
        self.exclude = exclude
        self.bounds = bounds
    }

    mutating func scan(from: Int, to: Int) {
        for position in from..<to where position != exclude {
            let sum = tree.exactSquaredDistance(query, position: position)
            if sum <= worst { offer(sum, tree.original[position]) }
        }
    }

    /// Inserts (squared distance, index) into the ascending (distance, index) best list if
    /// it belongs among the k smallest.
    private mutating func offer(_ sum: Double, _ index: Int) {
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
        if found == k {
            worst = bestSquared[k &- 1]
            pruneLimit = bounds.pruneLimit(exactRoot: worst.squareRoot())
        }
    }

    /// Writes the k best, as distances, to `distances` and `indices`.
    func finish(distances: UnsafeMutablePointer<Double>, indices: UnsafeMutablePointer<Int>) {
        for slot in 0..<k {
            distances[slot] = bestSquared[slot].squareRoot()
            indices[slot] = bestIndex[slot]
        }
    }
}

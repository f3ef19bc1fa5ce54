/// What the traversal of `KDTreeSearch` needs from the leaf scanner: the current limit on
/// squared tree distances (boxes beyond it are skipped) and the scan itself.
protocol LeafScan {
    /// Boxes and split planes whose squared tree distance exceeds this hold no point that
    /// can still enter the result.
    var pruneLimit: Double { get }
    /// Offers the points at tree positions `from ..< to`.
    mutating func scan(from: Int, to: Int)
}

/// The leaf scan of one query in Float only: candidates are kept by their Float-filter
/// distance, and exact Double distances are computed once, at the end, for the few left.
///
/// Every point passing the filter goes into `keys`, one `UInt64` per point — the Float
/// distance's bits (monotonic for non-negative Floats) above the tree position — kept
/// ascending, so an insertion moves single words. Once `k` are held, the k-th key gives an
/// upper bound on the k-th exact distance (`DistanceBounds`), hence the filter limit and
/// the box limit, and keys beyond the k-th whose Float distance exceeds the limit are
/// dropped. What is left — the k first plus any within rounding of the k-th — provably holds
/// the k nearest by (exact distance, original index); `finish` ranks them exactly. Compared
/// with ranking every survivor exactly, this saves about two thirds of the exact distances
/// and makes each insertion a one-word move.
struct FilteredLeafScan: LeafScan {
    let dimension: Int
    let k: Int
    /// Start of the Float columns and the byte distance between two columns.
    let columns: UnsafeRawPointer
    let columnBytes: Int
    let floatQuery: UnsafePointer<Float>
    /// Candidate keys, ascending; room for every indexed point plus one.
    let keys: UnsafeMutablePointer<UInt64>
    /// Tree position of the query itself (training points), -1 for none.
    let exclude: Int
    let limits: AffineLimits
    private(set) var count = 0
    private var limit = Float.infinity
    private(set) var pruneLimit = Double.infinity

    init(
        dimension: Int, k: Int, columns: UnsafeRawPointer, columnBytes: Int, floatQuery: UnsafePointer<Float>,
        keys: UnsafeMutablePointer<UInt64>, exclude: Int, bounds: DistanceBounds
    ) {
        self.dimension = dimension
        self.k = k
        self.columns = columns
        self.columnBytes = columnBytes
        self.floatQuery = floatQuery
        self.keys = keys
        self.exclude = exclude
        limits = bounds.affineLimits()
    }

    /// Eight points per step, one SIMD lane each; the lanes under the limit are inserted in
    /// lane order, found from a bit mask rather than by testing all eight lanes.
    @inline(__always)
    mutating func scan(from: Int, to: Int) {
        let weights = SIMD8<UInt32>(1, 2, 4, 8, 16, 32, 64, 128)
        var limits = SIMD8<Float>(repeating: limit)
        var position = from
        while position < to {
            var sum = SIMD8<Float>(repeating: 0)
            var address = columns + position &* MemoryLayout<Float>.stride
            for j in 0..<dimension {
                let t = SIMD8<Float>(repeating: floatQuery[j]) - address.loadUnaligned(as: SIMD8<Float>.self)
                sum += t * t
                address += columnBytes
            }
            let pass = sum .<= limits
            if any(pass) {
                var mask = SIMD8<UInt32>(repeating: 0).replacing(with: weights, where: pass).wrappedSum()
                let remaining = to &- position
                if remaining < 8 { mask &= (1 << UInt32(remaining)) &- 1 }
                while mask != 0 {
                    let lane = mask.trailingZeroBitCount
                    mask &= mask &- 1
                    insert(sum[lane], position: position &+ lane)
                }
                limits = SIMD8<Float>(repeating: limit)
            }
            position &+= 8
        }
    }

    /// Inserts the point at tree `position` with Float distance `filtered`, unless it is the
    /// query itself or beyond the (possibly just tightened) limit.
    @inline(__always)
    private mutating func insert(_ filtered: Float, position: Int) {
        if filtered > limit || position == exclude { return }
        let key = UInt64(filtered.bitPattern) << 32 | UInt64(UInt32(truncatingIfNeeded: position))
        var slot = count
        while slot > 0 {
            let above = keys[slot &- 1]
            if above <= key { break }
            keys[slot] = above
            slot &-= 1
        }
        keys[slot] = key
        count &+= 1
        if count >= k && slot < k { tighten() }
    }

    /// The k-th key changed: new limits from it, and drop the keys now beyond the limit.
    @inline(__always)
    private mutating func tighten() {
        let kth = Self.filtered(keys[k &- 1])
        pruneLimit = limits.pruneLimit(kth: kth)
        limit = limits.filterLimit(kth: kth)
        while count > k && Self.filtered(keys[count &- 1]) > limit { count &-= 1 }
    }

    @inline(__always)
    private static func filtered(_ key: UInt64) -> Float {
        Float(bitPattern: UInt32(truncatingIfNeeded: key >> 32))
    }

    /// Ranks the candidates by (exact distance, original index) and writes the first `k`
    /// to `distances` and `indices`. `query` is in original coordinates; `squared` and
    /// `index` are scratch with room for every candidate.
    func finish(
        query: UnsafePointer<Double>, tree: KDTreeView, squared: UnsafeMutablePointer<Double>,
        index: UnsafeMutablePointer<Int>, distances: UnsafeMutablePointer<Double>, indices: UnsafeMutablePointer<Int>
    ) {
        for candidate in 0..<count {
            let position = Int(truncatingIfNeeded: keys[candidate] & 0xFFFF_FFFF)
            let sum = tree.exactSquaredDistance(query, position: position)
            let original = tree.original[position]
            // Insertion sort: the Float order is nearly the exact one, so this is ~linear.
            var slot = candidate
            while slot > 0 {
                let s = squared[slot &- 1]
                if s < sum || (s == sum && index[slot &- 1] < original) { break }
                squared[slot] = s
                index[slot] = index[slot &- 1]
                slot &-= 1
            }
            squared[slot] = sum
            index[slot] = original
        }
        for slot in 0..<k {
            distances[slot] = squared[slot].squareRoot()
            indices[slot] = index[slot]
        }
    }
}

import Dispatch

/// Median-split construction of a `KDTree`'s nodes over a permutation of the point indices.
///
/// Each node's box is exact (a pass over all its points), but the feature to split is
/// chosen from the variances of a sample of at most ~128 of its points: the choice only
/// shapes the tree, never the result, and sampling halves the build time. With `parallel`,
/// the two halves below the root are built at the same time and joined.
struct KDTreeBuilder {
    /// Row-major points (tree coordinates).
    let values: UnsafePointer<Double>
    let dimension: Int
    let leafSize: Int
    /// The permutation being built: tree position → point index.
    let order: UnsafeMutablePointer<Int>
    /// Four integers per node in pre-order, as `KDTree.nodes`, but right-child ids relative
    /// to this builder's first node.
    var nodes: [Int] = []
    var boxes: [Double] = []
    var splitValues: [Double] = []

    /// Builds the tree over `count` points of `values`: the permutation and the node arrays
    /// (see `KDTree` for their layout).
    static func build(
        values: UnsafeBufferPointer<Double>, dimension: Int, count: Int, leafSize: Int, parallel: Bool
    ) -> (order: [Int], nodes: [Int], boxes: [Double], splitValues: [Double]) {
        var order = Array(0..<count)
        let (nodes, boxes, splitValues) = order.withUnsafeMutableBufferPointer { order in
            var root = KDTreeBuilder(
                values: values.baseAddress!, dimension: dimension, leafSize: leafSize, order: order.baseAddress!)
            guard parallel, count >= 4096, let middle = root.split(0, count) else {
                root.makeNode(0, count)
                return (root.nodes, root.boxes, root.splitValues)
            }
            // The two halves touch disjoint parts of `order`; each builder owns its arrays.
            let halves = UncheckedSendable(value: UnsafeMutableBufferPointer<KDTreeBuilder>.allocate(capacity: 2))
            defer { halves.value.deallocate() }
            let shared = UncheckedSendable(value: (values, order))
            DispatchQueue.concurrentPerform(iterations: 2) { half in
                let (values, order) = shared.value
                var builder = KDTreeBuilder(
                    values: values.baseAddress!, dimension: dimension, leafSize: leafSize, order: order.baseAddress!)
                if half == 0 { builder.makeNode(0, middle) } else { builder.makeNode(middle, count) }
                (halves.value.baseAddress! + half).initialize(to: builder)
            }
            let left = halves.value[0], right = halves.value[1]
            defer { _ = halves.value.baseAddress!.deinitialize(count: 2) }
            root.append(left, base: 1)
            root.nodes[2] = root.nodes.count / 4
            root.append(right, base: root.nodes.count / 4)
            return (root.nodes, root.boxes, root.splitValues)
        }
        return (order, nodes, boxes, splitValues)
    }

    /// Appends the nodes of `subtree`, whose first node gets id `base`.
    private mutating func append(_ subtree: KDTreeBuilder, base: Int) {
        for node in 0..<subtree.nodes.count / 4 {
            let right = subtree.nodes[node * 4 + 2]
            nodes.append(contentsOf: [
                subtree.nodes[node * 4], subtree.nodes[node * 4 + 1], right >= 0 ? right + base : -1,
                subtree.nodes[node * 4 + 3],
            ])
        }
        boxes.append(contentsOf: subtree.boxes)
        splitValues.append(contentsOf: subtree.splitValues)
    }

    /// Appends the node for positions `from ..< to` and then its subtree.
    mutating func makeNode(_ from: Int, _ to: Int) {
        let node = nodes.count / 4
        guard let middle = split(from, to) else { return }
        makeNode(from, middle)
        nodes[node * 4 + 2] = nodes.count / 4
        makeNode(middle, to)
    }

    /// Appends the node for positions `from ..< to` (box, split feature and value, no
    /// children yet) and partitions its points; returns the first position of the right
    /// half, or nil for a leaf.
    private mutating func split(_ from: Int, _ to: Int) -> Int? {
        let node = nodes.count / 4
        nodes.append(contentsOf: [from, to, -1, 0])
        splitValues.append(0)
        let d = dimension
        var lower = [Double](repeating: .infinity, count: d)
        var upper = [Double](repeating: -.infinity, count: d)
        for p in from..<to {
            let row = values + order[p] &* d
            for j in 0..<d {
                lower[j] = min(lower[j], row[j]); upper[j] = max(upper[j], row[j])
            }
        }
        boxes.append(contentsOf: lower)
        boxes.append(contentsOf: upper)
        // A run of identical points cannot be split: keep it as one (large) leaf.
        guard to - from > leafSize else { return nil }
        let step = max(1, (to - from) / 128)
        let samples = Double((to - from + step - 1) / step)
        var chosen = -1, largestVariance = -1.0
        for j in 0..<d where upper[j] - lower[j] > 0 {
            var sum = 0.0
            for p in stride(from: from, to: to, by: step) { sum += values[order[p] &* d &+ j] }
            let mean = sum / samples
            var variance = 0.0  // two passes: no cancellation far from the origin
            for p in stride(from: from, to: to, by: step) {
                let t = values[order[p] &* d &+ j] - mean
                variance += t * t
            }
            if variance > largestVariance { largestVariance = variance; chosen = j }
        }
        guard chosen >= 0 else { return nil }
        let middle = (from + to) / 2
        select(middle, from, to, feature: chosen)
        nodes[node * 4 + 3] = chosen
        splitValues[node] = key(middle, chosen)
        return middle
    }

    /// Rearranges `order[from ..< to]` so that position `nth` holds the point that would be
    /// there if sorted by feature `j`, smaller-or-equal before it, larger-or-equal after.
    /// Quickselect with a three-way partition, so runs of equal values stay linear.
    private func select(_ nth: Int, _ from: Int, _ to: Int, feature j: Int) {
        var lo = from, hi = to - 1
        while lo < hi {
            let a = key(lo, j), b = key((lo + hi) / 2, j), c = key(hi, j)
            let pivot = max(min(a, b), min(max(a, b), c))
            var lt = lo, i = lo, gt = hi
            while i <= gt {
                let v = key(i, j)
                if v < pivot {
                    order.swapAt(lt, i); lt += 1; i += 1
                } else if v > pivot {
                    order.swapAt(i, gt); gt -= 1
                } else {
                    i += 1
                }
            }
            if nth < lt { hi = lt - 1 } else if nth > gt { lo = gt + 1 } else { return }
        }
    }

    @inline(__always)
    private func key(_ position: Int, _ j: Int) -> Double {
        values[order[position] &* dimension &+ j]
    }
}

extension UnsafeMutablePointer where Pointee == Int {
    /// Swaps the integers at offsets `a` and `b`.
    @inline(__always)
    fileprivate func swapAt(_ a: Int, _ b: Int) {
        let t = self[a]
        self[a] = self[b]
        self[b] = t
    }
}

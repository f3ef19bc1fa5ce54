/// An exact k-nearest-neighbour index over a fixed point set (Euclidean metric).
///
/// Built once, then read-only (and so safe to query from several threads). Nodes split the
/// widest dimension of their bounding box at the median; leaves hold at most `leafSize`
/// points. The points are copied into tree order so that a leaf is one contiguous run of
/// memory, and every node keeps its exact bounding box for pruning.
///
/// Distances are computed as scikit-learn's KD-tree computes them — the squared differences
/// summed in feature order, then one square root — so that equal inputs give equal bits.
/// Neighbours are ordered by (distance, original index): among equal distances the lower
/// training index wins, which makes the k-neighbour set unique whatever the tree shape.
struct KDTree: Sendable {
    /// Features per point.
    let dimension: Int
    /// Number of indexed points.
    let count: Int
    /// Points in tree order, row-major: `points[p * dimension + j]`.
    let points: [Double]
    /// Original index of the point at each tree position.
    let originalIndex: [Int]
    /// Four integers per node: first tree position, one past the last, left child, right
    /// child (children are -1 for a leaf). One array, so a search holds one pointer.
    let nodes: [Int]
    /// Per node, the lower corner then the upper corner of its bounding box
    /// (`2 * dimension` values per node).
    let boxes: [Double]

    /// Default bucket size, measured on 8-D data (see docs/PERFORMANCE.md).
    static let defaultLeafSize = 16

    /// Builds the tree over `matrix` (at least one point).
    init(_ matrix: FeatureMatrix, leafSize: Int = KDTree.defaultLeafSize) {
        var builder = Builder(matrix: matrix, leafSize: max(1, leafSize))
        builder.build()
        dimension = matrix.dimension
        count = matrix.count
        originalIndex = builder.order
        var ordered = [Double](repeating: 0, count: matrix.values.count)
        for (position, original) in builder.order.enumerated() {
            for j in 0 ..< dimension {
                ordered[position * dimension + j] = matrix.values[original * dimension + j]
            }
        }
        points = ordered
        nodes = builder.nodes
        boxes = builder.boxes
    }

    /// Recursive median-split construction over a permutation of the point indices.
    private struct Builder {
        let values: [Double]
        let dimension: Int
        let leafSize: Int
        var order: [Int]
        var nodes: [Int] = []
        var boxes: [Double] = []

        init(matrix: FeatureMatrix, leafSize: Int) {
            values = matrix.values
            dimension = matrix.dimension
            self.leafSize = leafSize
            order = Array(0 ..< matrix.count)
        }

        mutating func build() {
            _ = makeNode(order.startIndex, order.endIndex)
        }

        /// Appends the node for positions `from ..< to` (and its subtree); returns its id.
        private mutating func makeNode(_ from: Int, _ to: Int) -> Int {
            let node = nodes.count / 4
            nodes.append(contentsOf: [from, to, -1, -1])
            var lower: [Double] = [], upper: [Double] = []
            var widest = 0, widestSpread = 0.0
            for j in 0 ..< dimension {
                var lo = Double.infinity, hi = -Double.infinity
                for p in from ..< to {
                    let v = values[order[p] * dimension + j]
                    lo = min(lo, v); hi = max(hi, v)
                }
                lower.append(lo); upper.append(hi)
                if hi - lo > widestSpread { widestSpread = hi - lo; widest = j }
            }
            boxes.append(contentsOf: lower)
            boxes.append(contentsOf: upper)
            // A run of identical points cannot be split: keep it as one (large) leaf.
            guard to - from > leafSize, widestSpread > 0 else { return node }
            let middle = (from + to) / 2
            select(middle, from, to, dimension: widest)
            let leftChild = makeNode(from, middle)
            let rightChild = makeNode(middle, to)
            nodes[node * 4 + 2] = leftChild
            nodes[node * 4 + 3] = rightChild
            return node
        }

        /// Rearranges `order[from ..< to]` so that position `nth` holds the point that would be
        /// there if sorted by feature `j`, smaller-or-equal before it, larger-or-equal after.
        /// Quickselect with a three-way partition, so runs of equal values stay linear.
        private mutating func select(_ nth: Int, _ from: Int, _ to: Int, dimension j: Int) {
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

        private func key(_ position: Int, _ j: Int) -> Double {
            values[order[position] * dimension + j]
        }
    }
}

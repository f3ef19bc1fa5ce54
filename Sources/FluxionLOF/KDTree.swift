/// An exact k-nearest-neighbour index over a fixed point set (Euclidean metric).
///
/// Built once, then read-only (and so safe to query from several threads). The tree is
/// built in the points' principal-axis coordinates (`PrincipalAxes`; the "tree
/// coordinates"), where correlated features give much tighter boxes; exact distances are
/// always computed in the original coordinates. Each node splits
/// the feature of largest variance at the median (variance rather than sklearn's spread: a
/// few far outliers give every feature the same spread, but not the same variance); leaves
/// hold at most `leafSize` points.
/// Points are copied into tree order, so a leaf is one contiguous run, and also stored column
/// by column in single precision, so a leaf scan loads eight points' feature `j` as one SIMD
/// vector (a filter; kept distances are always recomputed exactly in Double).
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
    /// Points in tree order, row-major, original coordinates: `points[p * dimension + j]`.
    let points: [Double]
    /// The same points in tree coordinates (the same array when not rotated).
    let treePoints: [Double]
    /// The rotation to tree coordinates, nil for none.
    let axes: PrincipalAxes?
    /// Length of one column of `floatColumns`: `count` plus room for an 8-wide load past
    /// the last point.
    let columnStride: Int
    /// Original index of the point at each tree position.
    let originalIndex: [Int]
    /// Four integers per node, in pre-order (so a node's left child is the next node):
    /// first tree position, one past the last, right child (-1 for a leaf), split feature.
    let nodes: [Int]
    /// Split value (tree coordinates) of each internal node: the left subtree holds points whose split
    /// feature is at most this value, the right subtree points with at least this value.
    let splitValues: [Double]
    /// Per node, the lower corner then the upper corner of the exact bounding box of its
    /// points in tree coordinates (`2 * dimension` values per node).
    let boxes: [Double]

    /// The points in tree coordinates column by column, minus `center`, rounded to Float:
    /// `floatColumns[j * columnStride + p]` (the leaf-scan filter of `KDTreeSearch`).
    let floatColumns: [Float]
    /// Per-feature centre (mid-range of the points) subtracted before rounding to Float.
    let center: [Double]
    /// Largest `|x_j - center_j|` over all points and features.
    let halfRange: Double

    /// Default bucket size: 32–128 measure alike on the 8-D benchmark (docs/PERFORMANCE.md);
    /// 64 keeps the tree shallow while the Float filter makes long leaves cheap.
    static let defaultLeafSize = 64

    /// Builds the tree over `original` (at least one point), in principal-axis coordinates
    /// when `rotate` and `PrincipalAxes` finds it safe.
    init(_ original: FeatureMatrix, leafSize: Int = KDTree.defaultLeafSize, rotate: Bool = true) {
        let axes = rotate ? PrincipalAxes(original) : nil
        // Finite: rotated coordinates are at most ‖row‖₁ times PrincipalAxes.reach < 1e150.
        let matrix =
            axes.map {
                try! FeatureMatrix(count: original.count, dimension: original.dimension, values: $0.rotate(original))
            }
            ?? original
        var builder = Builder(matrix: matrix, leafSize: max(1, leafSize))
        builder.build()
        dimension = matrix.dimension
        count = matrix.count
        originalIndex = builder.order
        var ordered = [Double](repeating: 0, count: matrix.values.count)
        var orderedOriginal = ordered
        for (position, index) in builder.order.enumerated() {
            for j in 0..<dimension {
                ordered[position * dimension + j] = matrix.values[index * dimension + j]
                orderedOriginal[position * dimension + j] = original.values[index * dimension + j]
            }
        }
        self.axes = axes
        treePoints = ordered
        points = axes == nil ? ordered : orderedOriginal
        var center = [Double](repeating: 0, count: dimension)
        var halfRange = 0.0
        for j in 0..<dimension {
            var lo = Double.infinity, hi = -Double.infinity
            for i in 0..<matrix.count {
                lo = min(lo, matrix.values[i * dimension + j]); hi = max(hi, matrix.values[i * dimension + j])
            }
            center[j] = lo / 2 + hi / 2
            halfRange = max(halfRange, abs(hi - center[j]), abs(center[j] - lo))
        }
        let stride = matrix.count + 8
        var floatColumns = [Float](repeating: 0, count: stride * dimension)
        for position in 0..<matrix.count {
            for j in 0..<dimension {
                floatColumns[j * stride + position] = Float(ordered[position * dimension + j] - center[j])
            }
        }
        self.floatColumns = floatColumns
        self.center = center
        self.halfRange = halfRange
        columnStride = stride
        nodes = builder.nodes
        boxes = builder.boxes
        splitValues = builder.splitValues
    }

    /// Recursive median-split construction over a permutation of the point indices.
    private struct Builder {
        let values: [Double]
        let dimension: Int
        let leafSize: Int
        var order: [Int]
        var nodes: [Int] = []
        var boxes: [Double] = []
        var splitValues: [Double] = []

        init(matrix: FeatureMatrix, leafSize: Int) {
            values = matrix.values
            dimension = matrix.dimension
            self.leafSize = leafSize
            order = Array(0..<matrix.count)
        }

        mutating func build() {
            makeNode(order.startIndex, order.endIndex)
        }

        /// Appends the node for positions `from ..< to` and then its subtree.
        private mutating func makeNode(_ from: Int, _ to: Int) {
            let node = nodes.count / 4
            nodes.append(contentsOf: [from, to, -1, 0])
            splitValues.append(0)
            var lower: [Double] = [], upper: [Double] = []
            var chosen = 0, chosenSpread = 0.0, largestVariance = -1.0
            for j in 0..<dimension {
                var lo = Double.infinity, hi = -Double.infinity
                var sum = 0.0
                for p in from..<to {
                    let v = values[order[p] * dimension + j]
                    lo = min(lo, v); hi = max(hi, v)
                    sum += v
                }
                lower.append(lo); upper.append(hi)
                let mean = sum / Double(to - from)
                var variance = 0.0  // two passes: no cancellation far from the origin
                for p in from..<to {
                    let t = values[order[p] * dimension + j] - mean
                    variance += t * t
                }
                if hi - lo > 0 && variance > largestVariance {
                    largestVariance = variance; chosenSpread = hi - lo; chosen = j
                }
            }
            boxes.append(contentsOf: lower)
            boxes.append(contentsOf: upper)
            // A run of identical points cannot be split: keep it as one (large) leaf.
            guard to - from > leafSize, chosenSpread > 0 else { return }
            let middle = (from + to) / 2
            select(middle, from, to, feature: chosen)
            nodes[node * 4 + 3] = chosen
            splitValues[node] = key(middle, chosen)
            makeNode(from, middle)
            nodes[node * 4 + 2] = nodes.count / 4
            makeNode(middle, to)
        }

        /// Rearranges `order[from ..< to]` so that position `nth` holds the point that would be
        /// there if sorted by feature `j`, smaller-or-equal before it, larger-or-equal after.
        /// Quickselect with a three-way partition, so runs of equal values stay linear.
        private mutating func select(_ nth: Int, _ from: Int, _ to: Int, feature j: Int) {
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

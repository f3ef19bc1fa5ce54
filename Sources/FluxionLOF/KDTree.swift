/// An exact k-nearest-neighbour index over a fixed point set (Euclidean metric).
///
/// Built once, then read-only (and so safe to query from several threads). The tree is
/// built in the points' principal-axis coordinates (`PrincipalAxes`; the "tree
/// coordinates"), where correlated features give much tighter boxes; exact distances are
/// always computed in the original coordinates. Each node splits the feature of largest
/// (sampled) variance at the median (variance rather than sklearn's spread: a few far
/// outliers give every feature the same spread, but not the same variance); leaves hold at
/// most `leafSize` points (`KDTreeBuilder`).
/// Points are copied into tree order, so a leaf is one contiguous run, and also stored column
/// by column in single precision, so a leaf scan loads eight points' feature `j` as one SIMD
/// vector (a filter; the distances returned are always computed exactly in Double).
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
    /// when `rotate` and `PrincipalAxes` finds it safe; `parallel` builds the two halves
    /// below the root at the same time.
    init(
        _ original: FeatureMatrix, leafSize: Int = KDTree.defaultLeafSize, rotate: Bool = true,
        parallel: Bool = false
    ) {
        let axes = rotate ? PrincipalAxes(original) : nil
        // Finite: rotated coordinates are at most ‖row‖₁ times PrincipalAxes.reach < 1e150.
        let matrix =
            axes.map {
                try! FeatureMatrix(
                    count: original.count, dimension: original.dimension,
                    values: $0.rotate(original, parallel: parallel))
            }
            ?? original
        let built = matrix.values.withUnsafeBufferPointer { values in
            KDTreeBuilder.build(
                values: values, dimension: matrix.dimension, count: matrix.count, leafSize: max(1, leafSize),
                parallel: parallel)
        }
        let d = matrix.dimension
        dimension = d
        count = matrix.count
        originalIndex = built.order
        // The root box is the exact range of every feature.
        var center = [Double](repeating: 0, count: d)
        var halfRange = 0.0
        for j in 0..<d {
            let lo = built.boxes[j], hi = built.boxes[d + j]
            center[j] = lo / 2 + hi / 2
            halfRange = max(halfRange, abs(hi - center[j]), abs(center[j] - lo))
        }
        // Points into tree order (both coordinate sets) and the Float columns, in one pass.
        let stride = matrix.count + 8
        var ordered = [Double](repeating: 0, count: matrix.values.count)
        var orderedOriginal = axes == nil ? [] : ordered
        var floatColumns = [Float](repeating: 0, count: stride * d)
        ordered.withUnsafeMutableBufferPointer { ordered in
            orderedOriginal.withUnsafeMutableBufferPointer { orderedOriginal in
                floatColumns.withUnsafeMutableBufferPointer { columns in
                    // (An empty array's buffer may still have a base address: test `axes`.)
                    let shared = UncheckedSendable(
                        value: (
                            ordered.baseAddress!, axes == nil ? nil : orderedOriginal.baseAddress,
                            columns.baseAddress!
                        ))
                    ParallelChunks.forEach(matrix.count, parallel: parallel) { range in
                        let (ordered, orderedOriginal, columns) = shared.value
                        for position in range {
                            let index = built.order[position]
                            for j in 0..<d {
                                let value = matrix.values[index * d + j]
                                ordered[position * d + j] = value
                                columns[j * stride + position] = Float(value - center[j])
                                orderedOriginal?[position * d + j] = original.values[index * d + j]
                            }
                        }
                    }
                }
            }
        }
        self.axes = axes
        treePoints = ordered
        points = axes == nil ? ordered : orderedOriginal
        self.floatColumns = floatColumns
        self.center = center
        self.halfRange = halfRange
        columnStride = stride
        nodes = built.nodes
        boxes = built.boxes
        splitValues = built.splitValues
    }
}

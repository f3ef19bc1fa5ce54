/// Rounding allowances between the three distances one query of `KDTreeSearch` handles:
///
/// - the *exact* distance, the Double sum of squared differences of the original
///   coordinates in feature order (scikit-learn's bits; what the result holds);
/// - the *tree* distance, between the coordinates the tree is built on (the original ones,
///   or their principal-axis rotation, see `PrincipalAxes`); box and split-plane bounds are
///   measured in them;
/// - the *filter* distance, the Float sum over the centred tree coordinates rounded to Float.
///
/// All are written with square roots ("roots"): a bound on one root gives a bound on the
/// other, so the search never drops a point whose exact distance qualifies, and never
/// needs an exact distance to decide what to drop. The margins are deliberately generous
/// (several units of roundoff more than the proofs below need): they cost nothing measurable,
/// since they widen the limits by about 1e-7 relative.
struct DistanceBounds {
    /// Float unit roundoff, 2⁻²⁴.
    static let unit = 0x1p-24

    let dimension: Int
    /// `2.2·u·M·√d`: how far a Float-filter root can be from the tree root (see
    /// `filterLimit(treeRoot:)`), with `M` the largest centred tree coordinate of the points
    /// and the query.
    let allowance: Double
    /// Tree root ≤ exact root · `stretch` + `slack`.
    let stretch: Double
    /// Exact root ≤ (tree root + `slack`) · `shrink`.
    let shrink: Double
    /// Absolute rounding of the rotation (0 without one).
    let slack: Double

    /// Bounds for a tree in the original coordinates: the roots differ by rounding only.
    /// `reach` is `M` above.
    init(dimension: Int, reach: Double) {
        self.dimension = dimension
        allowance = 2.2 * Self.unit * reach * Double(dimension).squareRoot()
        stretch = 1 + Double(dimension + 4) * 0x1p-50
        shrink = stretch
        slack = 0
    }

    /// Bounds for a rotated tree: `stretch` and `shrink` bound the rotation's largest and
    /// inverse smallest singular value (times rounding), `slack` twice the largest rounding
    /// error of a rotated point (see `PrincipalAxes.slack`).
    init(dimension: Int, reach: Double, stretch: Double, shrink: Double, slack: Double) {
        self.dimension = dimension
        allowance = 2.2 * Self.unit * reach * Double(dimension).squareRoot()
        self.stretch = stretch * (1 + Double(dimension + 4) * 0x1p-50)
        self.shrink = shrink * (1 + Double(dimension + 4) * 0x1p-50)
        self.slack = slack
    }

    /// An upper bound on the tree root of a point whose exact root is at most `exactRoot`.
    @inline(__always)
    func treeRoot(exactRoot: Double) -> Double {
        exactRoot * stretch + slack
    }

    /// An upper bound on the exact root of a point whose tree root is at most `treeRoot`.
    @inline(__always)
    func exactRoot(treeRoot: Double) -> Double {
        (treeRoot + slack) * shrink
    }

    /// The box-distance limit: a box (or split plane) whose squared tree distance, summed in
    /// Double like a point distance, exceeds this holds no point of exact root ≤ `exactRoot`.
    /// (The computed box distance is at most the computed tree distance of any point inside,
    /// which exceeds the real one by at most `(d+2)` Double roundoffs.)
    @inline(__always)
    func pruneLimit(exactRoot: Double) -> Double {
        let root = treeRoot(exactRoot: exactRoot)
        return root * root * (1 + Double(dimension + 4) * 0x1p-50)
    }

    /// The Float filter's limit for points of tree root ≤ `treeRoot`.
    ///
    /// With `c` the centre, `M` the largest `|y_j − c_j|` over the points and the query,
    /// and `u = 2⁻²⁴`: each Float coordinate is within `1.01·u·M` of the centred Double one,
    /// so each Float difference `t̃_j` is within `2.02·u·M` of the real `q_j − p_j` and then
    /// rounded once more; by Minkowski `‖t̃‖ ≤ (1+u)(‖q − p‖ + 2.02·u·M·√d)`, and the Float
    /// sum of squares adds at most `(d+1)·u` relatively. The value returned has spare margin,
    /// is rounded to Float, plus a tiny absolute term for subnormals. Infinity (no filtering)
    /// where Float could overflow.
    @inline(__always)
    func filterLimit(treeRoot: Double) -> Float {
        let u = Self.unit
        let root = treeRoot * (1 + u) + allowance
        guard root < 1e15 else { return .infinity }
        let limit = root * root * (1 + Double(dimension + 5) * u * 1.1) * (1 + 3 * u) + 1e-30
        return Float(limit)
    }

    /// An upper bound on the tree root of a point whose Float-filter distance is `filtered`:
    /// the converse of `filterLimit` (`‖q − p‖ ≤ ‖t̃‖/(1−u) + 2.02·u·M·√d`, and the Float
    /// sum is at least `‖t̃‖²(1 − (d+1)u)` less subnormal flushes, covered by `1e-18`).
    @inline(__always)
    func treeRoot(filtered: Float) -> Double {
        Double(filtered).squareRoot() * (1 + Double(dimension + 3) * Self.unit) + allowance + 1e-18
    }

    /// The limits `FilteredLeafScan` derives from its k-th Float distance `f`, as affine
    /// functions of `f` so that no square root is taken per update: chaining
    /// `treeRoot(filtered:)`, `exactRoot(treeRoot:)` and `treeRoot(exactRoot:)` gives a tree
    /// root `√f·α + β`, and `(√f·α + β)² ≤ f·α²(1+ε) + β²(1+1/ε)` for any ε > 0 (AM–GM on
    /// the cross term). ε = 2⁻¹⁴ widens the limits by 6e-5 relative plus 2¹⁴ squared
    /// rounding allowances: a few more candidates at most, never fewer.
    func affineLimits() -> AffineLimits {
        let u = Self.unit
        let epsilon = 0x1p-14
        let pad = 1 + 4 * u  // the Double arithmetic here and in `AffineLimits`, and Float rounding
        let alpha = (1 + Double(dimension + 3) * u) * shrink * stretch
        let beta = (allowance + 1e-18 + slack) * shrink * stretch + slack
        let gamma = alpha * (1 + u)
        let delta = beta * (1 + u) + allowance
        let filterFactor = (1 + Double(dimension + 5) * u * 1.1) * (1 + 3 * u) * pad
        let pruneFactor = (1 + Double(dimension + 4) * 0x1p-50) * pad
        return AffineLimits(
            filterSlope: gamma * gamma * (1 + epsilon) * filterFactor,
            filterIntercept: delta * delta * (1 + 1 / epsilon) * filterFactor + 1e-30,
            pruneSlope: alpha * alpha * (1 + epsilon) * pruneFactor,
            pruneIntercept: beta * beta * (1 + 1 / epsilon) * pruneFactor)
    }
}

/// See `DistanceBounds.affineLimits()`.
struct AffineLimits {
    let filterSlope: Double
    let filterIntercept: Double
    let pruneSlope: Double
    let pruneIntercept: Double

    /// The Float filter limit when the k-th Float distance is `kth` (infinity where Float
    /// could overflow).
    @inline(__always)
    func filterLimit(kth: Float) -> Float {
        let limit = Double(kth) * filterSlope + filterIntercept
        return limit < 1e30 ? Float(limit) : .infinity
    }

    /// The box limit when the k-th Float distance is `kth`.
    @inline(__always)
    func pruneLimit(kth: Float) -> Double {
        Double(kth) * pruneSlope + pruneIntercept
    }
}

/// Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations (accurate and
/// simple; the matrices here are feature covariances, a few dozen rows at most).
enum SymmetricEigen {
    /// The eigenvalues of the symmetric row-major `dimension × dimension` matrix `a`, and
    /// its eigenvectors as the columns of a row-major matrix, in matching order (unsorted).
    static func decompose(_ a: [Double], dimension d: Int) -> (values: [Double], vectors: [Double]) {
        var a = a
        var v = [Double](repeating: 0, count: d * d)
        for i in 0..<d { v[i * d + i] = 1 }
        for _ in 0..<60 {
            var off = 0.0, diagonal = 0.0
            for p in 0..<d {
                diagonal += a[p * d + p] * a[p * d + p]
                for q in p + 1..<d { off += a[p * d + q] * a[p * d + q] }
            }
            if off <= 1e-30 * diagonal || off == 0 { break }
            for p in 0..<d {
                for q in p + 1..<d where a[p * d + q] != 0 {
                    let apq = a[p * d + q]
                    let tau = (a[q * d + q] - a[p * d + p]) / (2 * apq)
                    let t = (tau >= 0 ? 1.0 : -1.0) / (abs(tau) + (1 + tau * tau).squareRoot())
                    let c = 1 / (1 + t * t).squareRoot()
                    let s = t * c
                    // A ← JᵀAJ for the rotation J in the (p, q) plane, then V ← VJ.
                    for r in 0..<d {
                        let arp = a[r * d + p], arq = a[r * d + q]
                        a[r * d + p] = c * arp - s * arq
                        a[r * d + q] = s * arp + c * arq
                    }
                    for r in 0..<d {
                        let apr = a[p * d + r], aqr = a[q * d + r]
                        a[p * d + r] = c * apr - s * aqr
                        a[q * d + r] = s * apr + c * aqr
                    }
                    for r in 0..<d {
                        let vrp = v[r * d + p], vrq = v[r * d + q]
                        v[r * d + p] = c * vrp - s * vrq
                        v[r * d + q] = s * vrp + c * vrq
                    }
                }
            }
        }
        return ((0..<d).map { a[$0 * d + $0] }, v)
    }
}

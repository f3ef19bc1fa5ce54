/// Floating-point reductions computed in exactly the order NumPy computes them, so that
/// means and percentiles agree with scikit-learn bit for bit rather than to a few ulps.
enum NumpyReductions {
    /// NumPy's `pairwise_sum_DOUBLE`: sequential below 8 values, eight interleaved
    /// accumulators up to 128 values, recursive halving (at multiples of 8) above that.
    /// This is what `np.sum`/`np.mean` use along a contiguous axis.
    static func pairwiseSum(_ a: UnsafeBufferPointer<Double>) -> Double {
        let n = a.count
        if n < 8 {
            var result = 0.0
            for value in a { result += value }
            return result
        }
        if n <= 128 {
            var r0 = a[0], r1 = a[1], r2 = a[2], r3 = a[3]
            var r4 = a[4], r5 = a[5], r6 = a[6], r7 = a[7]
            var i = 8
            let blocked = n - n % 8
            while i < blocked {
                r0 += a[i]; r1 += a[i + 1]; r2 += a[i + 2]; r3 += a[i + 3]
                r4 += a[i + 4]; r5 += a[i + 5]; r6 += a[i + 6]; r7 += a[i + 7]
                i += 8
            }
            var result = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
            while i < n {
                result += a[i]
                i += 1
            }
            return result
        }
        var half = n / 2
        half -= half % 8
        return pairwiseSum(UnsafeBufferPointer(rebasing: a[0..<half]))
            + pairwiseSum(UnsafeBufferPointer(rebasing: a[half..<n]))
    }

    /// `np.mean` of a contiguous row: the pairwise sum divided by the count.
    static func mean(_ a: UnsafeBufferPointer<Double>) -> Double {
        pairwiseSum(a) / Double(a.count)
    }

    /// `np.percentile(values, q)` with the default `'linear'` method (Hyndman & Fan 7):
    /// virtual index `(n - 1) · q / 100`, then NumPy's `_lerp`, which interpolates from the
    /// upper neighbour when the weight is at least 0.5.
    /// - Precondition: `values` is not empty.
    static func percentileLinear(_ values: [Double], percent: Double) -> Double {
        let sorted = values.sorted()
        let n = sorted.count
        let quantile = percent / 100
        let virtualIndex = Double(n - 1) * quantile
        if virtualIndex <= 0 { return sorted[0] }
        if virtualIndex >= Double(n - 1) { return sorted[n - 1] }
        let previous = virtualIndex.rounded(.down)
        let gamma = virtualIndex - previous
        let below = sorted[Int(previous)]
        let above = sorted[Int(previous) + 1]
        let difference = above - below
        return gamma >= 0.5 ? above - difference * (1 - gamma) : below + difference * gamma
    }
}

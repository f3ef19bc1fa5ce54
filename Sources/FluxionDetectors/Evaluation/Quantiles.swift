import Foundation

/// The q-quantile (0…1) by linear interpolation between order statistics; NaN when empty.
func quantile(_ values: [Double], _ q: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let s = values.sorted()
    let pos = q * Double(s.count - 1)
    let i = Int(pos), f = pos - Double(i)
    return i + 1 < s.count ? s[i] * (1 - f) + s[i + 1] * f : s[i]
}

/// A distribution-free confidence interval of the median: the order statistics x₍ⱼ₎ and
/// x₍ₙ₋ⱼ₊₁₎ (1-based) with j the largest rank such that P(X < j) ≤ (1 − confidence)/2 for
/// X ~ Binomial(n, ½), the number of values below the true median. Its coverage is at least
/// `confidence` whatever the distribution (for n = 100 at 95 %: x₍₄₀₎…x₍₆₁₎, 96.5 %).
/// Nil when n is too small for any such interval (n ≤ 5 at 95 %).
func medianInterval(_ values: [Double], confidence: Double = 0.95) -> ClosedRange<Double>? {
    let n = values.count
    guard n > 0 else { return nil }
    let tail = (1 - confidence) / 2
    // P(X ≤ k) for X ~ Binomial(n, ½), accumulated in log space so that large n cannot underflow.
    let logHalfN = Double(n) * log(0.5)
    var logPMF = logHalfN  // P(X = 0)
    var cdf = exp(logPMF)
    var j = 0  // ranks 1…j satisfy P(X < rank) ≤ tail
    while j < n / 2, cdf <= tail {
        j += 1
        logPMF += log(Double(n - j + 1)) - log(Double(j))
        cdf += exp(logPMF)
    }
    guard j >= 1 else { return nil }
    let s = values.sorted()
    return s[j - 1]...s[n - j]
}

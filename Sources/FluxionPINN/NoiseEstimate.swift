/// A running estimate of a channel's white noise from its successive differences: for
/// independent noise of standard deviation σ on a signal that changes little from one reading
/// to the next, |xₜ − xₜ₋₁| has median 0.6745·√2·σ. The median over the newest `window`
/// differences, recomputed every `window / 2` (robust to the steps a leak or a valve makes).
struct NoiseEstimate: Sendable {
    static let window = 1200
    private var differences: [Double] = []
    private var next = 0
    private var last: Double?
    private var sinceUpdate = 0
    /// The estimate, s.d. in the reading's unit; nil before `window / 4` differences.
    private(set) var sigma: Double?
    /// Whether `sigma` was recomputed by the newest reading.
    private(set) var isFresh = false

    mutating func add(_ x: Double) {
        isFresh = false
        defer { last = x }
        guard let last else { return }
        let d = abs(x - last)
        if differences.count < Self.window {
            differences.append(d)
        } else {
            differences[next] = d
            next = (next + 1) % Self.window
        }
        sinceUpdate += 1
        let due = sigma == nil ? differences.count >= Self.window / 4 : sinceUpdate >= Self.window / 2
        guard due else { return }
        sinceUpdate = 0
        var sorted = differences
        sorted.sort()
        let median =
            sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        sigma = median / (0.674_489_750_196_081_7 * 2.0.squareRoot())
        isFresh = true
    }

    /// A reading missing: the next difference would span two steps.
    mutating func gap() {
        last = nil
        isFresh = false
    }
}

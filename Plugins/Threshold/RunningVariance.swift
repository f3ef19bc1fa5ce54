/// Welford's running mean and variance.
struct RunningVariance {
    private(set) var count = 0
    private(set) var mean = 0.0
    private var m2 = 0.0
    mutating func add(_ x: Double) {
        count += 1
        let d = x - mean
        mean += d / Double(count)
        m2 += d * (x - mean)
    }
    var variance: Double { count > 1 ? m2 / Double(count - 1) : 0 }
    var std: Double { variance.squareRoot() }
}

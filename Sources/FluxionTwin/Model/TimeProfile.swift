/// A piecewise-linear function of simulated time, optionally periodic (e.g. a
/// daily demand multiplier). Times in s, values in the unit of their use.
public struct TimeProfile: Sendable, Equatable {
    /// Breakpoints (time s, value), strictly increasing in time.
    public var points: [(timeS: Double, value: Double)] {
        zip(times, values).map { ($0, $1) }
    }
    /// Period, s; nil: held constant beyond the last point.
    public var periodS: Double?
    private var times: [Double]
    private var values: [Double]

    /// Creates a profile. `points` must be non-empty and increasing in time; with a
    /// period, times lie in [0, period) and the profile wraps around.
    public init(points: [(timeS: Double, value: Double)], periodS: Double? = nil) {
        precondition(!points.isEmpty, "TimeProfile needs at least one point")
        self.times = points.map(\.timeS)
        self.values = points.map(\.value)
        self.periodS = periodS
    }

    /// A constant profile.
    public static func constant(_ value: Double) -> TimeProfile {
        TimeProfile(points: [(0, value)])
    }

    /// Hourly values over a day (24 values at 00:00 … 23:00), periodic over 86 400 s.
    public static func hourly(_ values: [Double]) -> TimeProfile {
        TimeProfile(
            points: values.enumerated().map { (Double($0.offset) * 3600, $0.element) },
            periodS: 86_400)
    }

    /// Value at simulated time t (s), linear between points.
    public func value(atTimeS t: Double) -> Double {
        let n = times.count
        if n == 1 { return values[0] }
        if let period = periodS {
            var tt = t.truncatingRemainder(dividingBy: period)
            if tt < 0 { tt += period }
            // Wrap: between the last point and the first point of the next period.
            if tt >= times[n - 1] || tt < times[0] {
                let t0 = times[n - 1], t1 = times[0] + period
                let x = tt >= times[n - 1] ? tt : tt + period
                let w = (x - t0) / (t1 - t0)
                return values[n - 1] + w * (values[0] - values[n - 1])
            }
            return interpolate(tt)
        }
        if t <= times[0] { return values[0] }
        if t >= times[n - 1] { return values[n - 1] }
        return interpolate(t)
    }

    private func interpolate(_ t: Double) -> Double {
        var lo = 0, hi = times.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if times[mid] <= t { lo = mid } else { hi = mid }
        }
        let w = (t - times[lo]) / (times[hi] - times[lo])
        return values[lo] + w * (values[hi] - values[lo])
    }

    public static func == (a: TimeProfile, b: TimeProfile) -> Bool {
        a.times == b.times && a.values == b.values && a.periodS == b.periodS
    }
}

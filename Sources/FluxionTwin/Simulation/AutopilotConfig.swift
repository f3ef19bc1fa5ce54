/// Random leak incidents, injected and later cleared by the simulation itself
/// (off by default). Reproducible: the draws come from the simulation seed.
///
/// Every `checkIntervalS` the autopilot opens a leak with probability
/// `leaksPerDay · interval/86400 · hourlyRisk[hour]/mean(hourlyRisk)`, on a pipe
/// chosen with weight length × risk multiplier of the stations at its ends, at a
/// uniform position, with a size, ramp and duration uniform in their ranges.
public struct AutopilotConfig: Sendable, Equatable {
    public var enabled: Bool
    /// Mean number of incidents per simulated day.
    public var leaksPerDay: Double
    /// Relative risk per hour of day (24 values, 00:00 … 23:00).
    public var hourlyRisk: [Double]
    /// Leak size as a fraction of the pipe's nominal flow.
    public var sizeFractionMin: Double
    public var sizeFractionMax: Double
    /// How long a leak stays open, s.
    public var durationMinS: Double
    public var durationMaxS: Double
    /// Opening ramp, s.
    public var rampMaxS: Double
    /// Time between draws, s.
    public var checkIntervalS: Double
    /// Most autopilot leaks open at once.
    public var maxConcurrent: Int

    /// Default hourly risk: highest around midnight, lowest in the late morning.
    public static let defaultHourlyRisk: [Double] = [
        2.0, 1.8, 1.5, 1.2, 1.0, 0.8, 0.7, 0.6, 0.6, 0.6, 0.6, 0.7,
        0.7, 0.7, 0.7, 0.8, 0.8, 0.9, 1.0, 1.1, 1.3, 1.5, 1.7, 1.9,
    ]

    public init(
        enabled: Bool = false, leaksPerDay: Double = 3, hourlyRisk: [Double] = AutopilotConfig.defaultHourlyRisk,
        sizeFractionMin: Double = 0.01, sizeFractionMax: Double = 0.05,
        durationMinS: Double = 1800, durationMaxS: Double = 7200, rampMaxS: Double = 60,
        checkIntervalS: Double = 60, maxConcurrent: Int = 1
    ) {
        self.enabled = enabled
        self.leaksPerDay = leaksPerDay
        self.hourlyRisk = hourlyRisk
        self.sizeFractionMin = sizeFractionMin
        self.sizeFractionMax = sizeFractionMax
        self.durationMinS = durationMinS
        self.durationMaxS = durationMaxS
        self.rampMaxS = rampMaxS
        self.checkIntervalS = checkIntervalS
        self.maxConcurrent = maxConcurrent
    }

    /// Risk multiplier at a time of day (s), piecewise constant per hour.
    public func risk(atTimeS t: Double) -> Double {
        guard hourlyRisk.count == 24 else { return 1 }
        var h = Int((t / 3600).rounded(.down)) % 24
        if h < 0 { h += 24 }
        let mean = hourlyRisk.reduce(0, +) / 24
        return mean > 0 ? hourlyRisk[h] / mean : 0
    }
}

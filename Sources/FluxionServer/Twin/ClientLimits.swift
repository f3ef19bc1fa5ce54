/// Ranges the server accepts for numbers a client sends, and conversions that never trap.
///
/// Every number on the wire is untrusted. A value is checked against its range before use (the
/// error names the field and the range); a conversion from `Double` to an integer type goes
/// through `saturating`, which clamps instead of trapping on NaN, infinities or huge values.
public enum ClientLimits {
    /// Simulation clock speed, simulated seconds per wall second.
    public static let speed: ClosedRange<Double> = 1e-3...1e6
    /// `max_rate_hz` of StreamReadings when not 0 (no limit): from one message in 11.6 days to
    /// a million a second.
    public static let maxRateHz: ClosedRange<Double> = 1e-6...1e6
}

extension UInt64 {
    /// `value` rounded toward zero and clamped to 0…UInt64.max; NaN gives 0.
    static func saturating(_ value: Double) -> UInt64 {
        guard value.isFinite else { return value == .infinity ? .max : 0 }
        if value <= 0 { return 0 }
        if value >= 18_446_744_073_709_549_568.0 { return .max }  // largest Double below 2^64
        return UInt64(value)
    }
}

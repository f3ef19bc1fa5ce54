/// The evaluation's alarm rule: a detector alarms while its probability has been ≥
/// `probability` for at least `sustainS` seconds; the alarm ends at the first estimate below it.
/// An alarm that starts before a leak (or in a run without one) is a false alarm; an alarm that
/// is on at any time during a leak is a detection, at the moment the rule is first satisfied.
public struct AlarmRule: Sendable, Equatable {
    /// Probability threshold, 0…1.
    public var probability: Double
    /// How long the probability must stay at or above the threshold, s.
    public var sustainS: Double

    public init(probability: Double = 0.5, sustainS: Double) {
        self.probability = probability
        self.sustainS = sustainS
    }
}

/// Applies an `AlarmRule` to one detector's estimates, in time order.
struct AlarmTracker {
    let rule: AlarmRule
    private var aboveSinceS: Double?
    /// True while the rule holds.
    private(set) var alarming = false

    init(rule: AlarmRule) { self.rule = rule }

    /// Feeds one estimate; returns true when an alarm starts at this estimate.
    mutating func update(simTimeS: Double, probability: Double) -> Bool {
        guard probability >= rule.probability else {
            aboveSinceS = nil
            alarming = false
            return false
        }
        let since = aboveSinceS ?? simTimeS
        aboveSinceS = since
        if !alarming, simTimeS - since >= rule.sustainS {
            alarming = true
            return true
        }
        return false
    }
}

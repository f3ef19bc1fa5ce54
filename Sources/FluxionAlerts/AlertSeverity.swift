/// How bad an alert is, from its peak probability and its estimated size.
///
/// The rule (sizes are leak outflow over nominal flow; an unknown size counts as 0):
///
/// | severity | condition (the first that holds)                         |
/// |----------|-----------------------------------------------------------|
/// | critical | size ≥ 0.20, or size ≥ 0.10 and probability ≥ 0.95        |
/// | high     | size ≥ 0.10, or probability ≥ 0.95                        |
/// | medium   | size ≥ 0.03, or probability ≥ 0.90                        |
/// | low      | anything else that was raised                             |
///
/// Why: a raised alert is already probable (≥ the raise threshold), so size dominates; a
/// tenth of the flow lost is an emergency on a transmission line, a few percent is a repair
/// ticket. A near-certain detection of unknown size is at least high.
public enum AlertSeverity: Int, Sendable, Equatable, Comparable, CaseIterable {
    case low = 1
    case medium = 2
    case high = 3
    case critical = 4

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    public init(probability: Double, sizeFraction: Double?) {
        let size = sizeFraction.flatMap { $0.isFinite ? $0 : nil } ?? 0
        if size >= 0.20 || (size >= 0.10 && probability >= 0.95) {
            self = .critical
        } else if size >= 0.10 || probability >= 0.95 {
            self = .high
        } else if size >= 0.03 || probability >= 0.90 {
            self = .medium
        } else {
            self = .low
        }
    }

    public var name: String {
        switch self {
        case .low: "low"
        case .medium: "medium"
        case .high: "high"
        case .critical: "critical"
        }
    }

    public init?(name: String) {
        guard let s = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = s
    }
}

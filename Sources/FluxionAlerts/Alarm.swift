/// Alarm handling on the model of ISA-18.2 and OPC UA Part 9 (Alarms & Conditions): an alert is
/// acknowledged by an operator, may be shelved for a while with a reason, and has a derived
/// alarm state. See docs/ALERTS.md "Alarms" for the states and the transitions table.
public enum AlarmState: Int, Sendable, Equatable, Hashable, CaseIterable, Comparable {
    /// Raised, not acknowledged.
    case unackedActive = 1
    /// Raised, acknowledged.
    case ackedActive = 2
    /// Cleared (returned to normal) while still unacknowledged.
    case unackedReturned = 3
    /// Cleared and acknowledged.
    case normal = 4
    /// Shelved by an operator, whatever else holds.
    case shelved = 5

    public static func < (a: AlarmState, b: AlarmState) -> Bool { a.rawValue < b.rawValue }

    public var name: String {
        switch self {
        case .unackedActive: "unacked"
        case .ackedActive: "acked"
        case .unackedReturned: "unacked-rtn"
        case .normal: "normal"
        case .shelved: "shelved"
        }
    }

    /// The states that want an operator's attention.
    public static let unacknowledged: Set<AlarmState> = [.unackedActive, .unackedReturned]
}

/// Who did an alarm action: the access token's id (authoritative; "" without tokens) and the
/// operator's name as the client gave it.
public struct AlarmActor: Sendable, Equatable, Hashable {
    public var operatorName: String
    public var tokenID: String

    public init(operatorName: String = "", tokenID: String = "") {
        self.operatorName = operatorName
        self.tokenID = tokenID
    }

    /// "alice (token ops-1)", "alice", "token ops-1", or "-".
    public var description: String {
        switch (operatorName.isEmpty, tokenID.isEmpty) {
        case (false, false): "\(operatorName) (token \(tokenID))"
        case (false, true): operatorName
        case (true, false): "token \(tokenID)"
        case (true, true): "-"
        }
    }
}

/// An alert's acknowledgement: by whom, when (wall clock), with what comment.
public struct Acknowledgement: Sendable, Equatable {
    public var by: AlarmActor
    public var wallUnixNs: Int64
    public var comment: String

    public init(by: AlarmActor, wallUnixNs: Int64, comment: String = "") {
        self.by = by
        self.wallUnixNs = wallUnixNs
        self.comment = comment
    }
}

/// An alert's shelving: hidden from attention until `untilWallUnixNs`, or (one-shot) until the
/// alert clears, whichever comes first.
public struct Shelving: Sendable, Equatable {
    public enum Kind: Int, Sendable, Equatable, CaseIterable {
        /// For a stated time.
        case timed = 1
        /// Until the alert clears (bounded by `Shelving.maxDurationS`).
        case oneShot = 2

        public var name: String { self == .timed ? "timed" : "one-shot" }
    }

    /// The shortest timed shelving, s.
    public static let minDurationS = 1.0
    /// The longest shelving of either kind (OPC UA's MaxTimeShelved), s: 30 days.
    public static let maxDurationS = 30.0 * 86_400

    public var kind: Kind
    /// When it ends by itself, Unix ns.
    public var untilWallUnixNs: Int64
    public var reason: String
    public var by: AlarmActor
    /// When it was shelved, Unix ns.
    public var wallUnixNs: Int64

    public init(kind: Kind, untilWallUnixNs: Int64, reason: String, by: AlarmActor, wallUnixNs: Int64) {
        self.kind = kind
        self.untilWallUnixNs = untilWallUnixNs
        self.reason = reason
        self.by = by
        self.wallUnixNs = wallUnixNs
    }

    /// Whether it still holds at `nowUnixNs` (a timed shelving runs out by itself).
    public func isInForce(atWallUnixNs nowUnixNs: Int64) -> Bool { nowUnixNs < untilWallUnixNs }
}

extension AlertRecord {
    /// The alarm state at wall time `nowUnixNs` (a shelving whose time has passed no longer counts).
    public func alarmState(atWallUnixNs nowUnixNs: Int64) -> AlarmState {
        if let s = shelving, s.isInForce(atWallUnixNs: nowUnixNs) { return .shelved }
        switch (state, acknowledgement != nil) {
        case (.raised, false): return .unackedActive
        case (.raised, true): return .ackedActive
        case (.cleared, false): return .unackedReturned
        case (.cleared, true): return .normal
        }
    }

    /// The shelving if it still holds at `nowUnixNs`.
    public func shelving(atWallUnixNs nowUnixNs: Int64) -> Shelving? {
        shelving.flatMap { $0.isInForce(atWallUnixNs: nowUnixNs) ? $0 : nil }
    }
}

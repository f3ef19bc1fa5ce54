import Glibc

/// What an operator (or the clock) does to an alert's alarm state. `applied(to:atWallUnixNs:)`
/// is the one place the transition rules live (docs/ALERTS.md "Alarms"); both stores run it
/// inside the transaction that reads and rewrites the row.
public enum AlarmAction: Sendable, Equatable {
    /// Acknowledge (raised or cleared). Once only: the first acknowledgement is kept.
    case acknowledge(by: AlarmActor, comment: String)
    /// Shelve, replacing any shelving in force. `durationS` is ignored for one-shot (which
    /// lasts until the alert clears, at most `Shelving.maxDurationS`).
    case shelve(kind: Shelving.Kind, durationS: Double, reason: String, by: AlarmActor)
    /// End a shelving in force.
    case unshelve(by: AlarmActor)
    /// The clock: a shelving that ran out is removed from the row (so that the change is an
    /// UPDATE others see). Only if the alert still holds this shelving (same end).
    case expireShelving(untilWallUnixNs: Int64)

    /// The event kind of the change.
    public var eventKind: AlertEvent.Kind {
        switch self {
        case .acknowledge: .acknowledged
        case .shelve: .shelved
        case .unshelve, .expireShelving: .unshelved
        }
    }

    /// Who did it ("" for the clock).
    public var actor: AlarmActor {
        switch self {
        case .acknowledge(let by, _), .shelve(_, _, _, let by), .unshelve(let by): by
        case .expireShelving: AlarmActor()
        }
    }

    /// `alert` after the action at wall time `now`; nil when there is nothing to change (only
    /// for `expireShelving`: the shelving was already ended or replaced). Throws the reason an
    /// operator action does not apply.
    public func applied(to alert: AlertRecord, atWallUnixNs now: Int64) throws(AlertStoreError) -> AlertRecord? {
        var a = alert
        switch self {
        case .acknowledge(let by, let comment):
            if let ack = alert.acknowledgement {
                throw .alarmRefused(
                    reason:
                        "alert \(alert.id) is already acknowledged by \(ack.by.description) at \(WallTime.iso8601(ack.wallUnixNs))"
                )
            }
            a.acknowledgement = Acknowledgement(by: by, wallUnixNs: now, comment: comment)
        case .shelve(let kind, let durationS, let reason, let by):
            if kind == .oneShot, alert.state == .cleared {
                throw .alarmRefused(
                    reason:
                        "alert \(alert.id) has cleared: a one-shot shelving ends when the alert clears (shelve it for a time, or acknowledge it)"
                )
            }
            let seconds = kind == .oneShot ? Shelving.maxDurationS : durationS
            guard seconds.isFinite, seconds >= Shelving.minDurationS, seconds <= Shelving.maxDurationS else {
                throw .invalidFilter(
                    field: "duration_s",
                    reason:
                        "must be \(Int(Shelving.minDurationS)) s … \(Int(Shelving.maxDurationS)) s (30 days), got \(durationS)"
                )
            }
            let until = now.addingReportingOverflow(Int64(seconds * 1e9))
            a.shelving = Shelving(
                kind: kind, untilWallUnixNs: until.overflow ? .max : until.partialValue, reason: reason, by: by,
                wallUnixNs: now)
        case .unshelve:
            guard alert.shelving(atWallUnixNs: now) != nil else {
                throw .alarmRefused(reason: "alert \(alert.id) is not shelved")
            }
            a.shelving = nil
        case .expireShelving(let until):
            guard let s = alert.shelving, s.untilWallUnixNs == until, !s.isInForce(atWallUnixNs: now) else {
                return nil
            }
            a.shelving = nil
        }
        return a
    }
}

/// Wall-clock helpers shared by the stores, the server and the CLI.
public enum WallTime {
    /// Now, Unix ns.
    public static func nowUnixNs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// "2026-12-07T20:13:27Z" (UTC, whole seconds).
    public static func iso8601(_ unixNs: Int64) -> String {
        var t = time_t(unixNs / 1_000_000_000)
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return
            "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}

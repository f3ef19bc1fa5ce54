import FluxionDetectorKit

/// Turns detector estimates into alerts, with hysteresis. Pure logic: no I/O, no clock of
/// its own (every time comes from the signals).
///
/// Per detector, on its sequence of `AlertSignal`s (sim time t, probability p):
///
/// ```
///            p ≥ raise for ≥ raiseHoldS                 p ≤ clear for ≥ clearHoldS
///   idle ──────────────────────────────▶ raised ───────────────────────────────▶ idle
///    ▲  p < raise resets the hold timer    │ p > clear resets the clear timer      (cleared)
///    └─────────────────────────────────────┴── while raised: peak p, latest position/size
/// ```
///
/// - The hold timer starts at the first sample that meets the condition and the alert is
///   raised (or cleared) at the first sample at which it has held for the hold time, so a
///   noisy probability that dips below the raise threshold (or above the clear threshold)
///   restarts the wait: no flapping. With a hold of 0 one sample is enough.
/// - Between the thresholds nothing changes state (that gap is the hysteresis).
/// - While raised, the alert keeps its peak probability and the latest pipe, position and
///   size the detector gave (a nil field keeps the previous value). An `updated` event is
///   emitted when the change is worth telling (see `Configuration`), not on every sample.
/// - Sim time going backwards (the twin was restarted) restarts the hold timers.
public struct AlertEngine {
    public struct Configuration: Sendable, Equatable {
        /// Raise when p ≥ this, 0…1.
        public var raiseThreshold: Double = 0.8
        /// Clear when p ≤ this, 0…1 (must be below `raiseThreshold`).
        public var clearThreshold: Double = 0.3
        /// How long p must stay ≥ `raiseThreshold` before raising, sim s.
        public var raiseHoldS: Double = 2
        /// How long p must stay ≤ `clearThreshold` before clearing, sim s.
        public var clearHoldS: Double = 10
        /// Emit `updated` when the peak probability rose by at least this since the last event.
        public var probabilityStep: Double = 0.05
        /// … or the estimated position moved by at least this, m (or changed pipe).
        public var positionStepM: Double = 100
        /// … or the estimated size changed by at least this (fraction of nominal flow).
        public var sizeStep: Double = 0.01
        /// Changes of place, size or a lower severity are told at most once per this much
        /// simulated time, s: an estimate that jitters costs at most 3,600 / this stored and
        /// streamed updates per simulated hour (before: one per 100 m move, ~1,300 per alert over
        /// 29 h). A higher peak probability, a higher severity and the first matched leak are
        /// told at once (each can only happen a few times).
        public var updateIntervalS: Double = 60
        /// How alerts are attributed to injected leaks.
        public var matcher = LeakMatcher()
        /// The network (shard) id stamped on every alert ("" for the only one).
        public var network = ""

        public init() {}
    }

    private struct Track {
        var lastSimTimeS = -Double.infinity
        var aboveSince: Double?
        /// Peak probability while waiting out the raise hold.
        var pendingPeak = 0.0
        var belowSince: Double?
        var alert: AlertRecord?
        var published: AlertRecord?
    }

    public let configuration: Configuration
    public let locator: NetworkLocator
    private let makeID: () -> String
    private var tracks: [String: Track] = [:]

    /// - Parameter makeID: a new alert id, unique across restarts (the server takes them from
    ///   the store).
    public init(
        configuration: Configuration = Configuration(), locator: NetworkLocator = .empty,
        makeID: @escaping () -> String
    ) {
        precondition(
            configuration.clearThreshold < configuration.raiseThreshold, "clear threshold must be below raise threshold"
        )
        self.configuration = configuration
        self.locator = locator
        self.makeID = makeID
    }

    /// The alerts raised now, by detector.
    public var raisedAlerts: [String: AlertRecord] { tracks.compactMapValues(\.alert) }

    /// Forgets `detector` (unloaded or swapped out): its raised alert, if any, is cleared at
    /// the given times (it would otherwise stay raised with no one left to clear it), and its
    /// hold timers are dropped. Returns the cleared event, if there was an alert.
    public mutating func removeDetector(_ detector: String, simTimeS: Double, wallTimeUnixNs: Int64) -> AlertEvent? {
        guard let track = tracks.removeValue(forKey: detector), var alert = track.alert else { return nil }
        alert.state = .cleared
        alert.clearedSimTimeS = simTimeS
        alert.clearedWallUnixNs = wallTimeUnixNs
        alert.updatedSimTimeS = simTimeS
        return AlertEvent(kind: .cleared, alert: alert)
    }

    /// Feeds signals in order and returns what happened, in order.
    /// - Parameter leaks: the injected leaks known now (for `matchedLeakID`).
    public mutating func process(_ signals: [AlertSignal], leaks: [LeakReference] = []) -> [AlertEvent] {
        var events: [AlertEvent] = []
        for signal in signals {
            if let event = step(signal, leaks: leaks) { events.append(event) }
        }
        return events
    }

    private mutating func step(_ s: AlertSignal, leaks: [LeakReference]) -> AlertEvent? {
        var track = tracks[s.detector] ?? Track()
        defer { tracks[s.detector] = track }
        let t = s.simTimeS
        let p = s.estimate.probability.isFinite ? min(max(s.estimate.probability, 0), 1) : 0
        if t < track.lastSimTimeS {
            track.aboveSince = nil
            track.belowSince = nil
        }
        track.lastSimTimeS = t
        let c = configuration

        guard var alert = track.alert else {
            guard p >= c.raiseThreshold else {
                track.aboveSince = nil
                return nil
            }
            let since = track.aboveSince ?? t
            track.pendingPeak = track.aboveSince == nil ? p : max(track.pendingPeak, p)
            track.aboveSince = since
            guard t - since >= c.raiseHoldS else { return nil }
            track.aboveSince = nil
            var new = AlertRecord(
                id: makeID(), detector: s.detector, raisedSimTimeS: t, raisedWallUnixNs: s.wallTimeUnixNs,
                probability: track.pendingPeak, network: c.network)
            apply(s.estimate, to: &new, at: t, leaks: leaks)
            track.alert = new
            track.published = new
            return AlertEvent(kind: .raised, alert: new)
        }

        alert.probability = max(alert.probability, p)
        apply(s.estimate, to: &alert, at: t, leaks: leaks)
        if p <= c.clearThreshold {
            let since = track.belowSince ?? t
            track.belowSince = since
            if t - since >= c.clearHoldS {
                alert.state = .cleared
                alert.clearedSimTimeS = t
                alert.clearedWallUnixNs = s.wallTimeUnixNs
                alert.updatedSimTimeS = t
                track.alert = nil
                track.published = nil
                track.belowSince = nil
                return AlertEvent(kind: .cleared, alert: alert)
            }
        } else {
            track.belowSince = nil
        }
        track.alert = alert
        guard let last = track.published, worthTelling(alert, since: last, at: t) else { return nil }
        alert.updatedSimTimeS = t
        track.alert = alert
        track.published = alert
        return AlertEvent(kind: .updated, alert: alert)
    }

    /// Copies the estimate's location and size (when given), then derives station, segment,
    /// severity and (if not yet matched) the leak.
    private func apply(_ e: DetectorEstimate, to alert: inout AlertRecord, at t: Double, leaks: [LeakReference]) {
        if let pipe = e.pipeID {
            alert.pipeID = pipe
            alert.positionM = e.positionM
        } else if let x = e.positionM, alert.pipeID != nil {
            alert.positionM = x
        }
        if let size = e.sizeFraction, size.isFinite { alert.sizeFraction = size }
        alert.stationID = locator.nearestStation(pipeID: alert.pipeID, positionM: alert.positionM)?.stationID
        alert.segmentID = locator.segment(pipeID: alert.pipeID)
        alert.severity = AlertSeverity(probability: alert.probability, sizeFraction: alert.sizeFraction)
        if alert.matchedLeakID == nil {
            alert.matchedLeakID = configuration.matcher.match(
                pipeID: alert.pipeID, positionM: alert.positionM,
                atSimTimeS: t, leaks: leaks, locator: locator)
        }
    }

    private func worthTelling(_ a: AlertRecord, since last: AlertRecord, at t: Double) -> Bool {
        let c = configuration
        if a.probability - last.probability >= c.probabilityStep { return true }
        if a.severity.rawValue > last.severity.rawValue || a.matchedLeakID != last.matchedLeakID { return true }
        guard t - last.updatedSimTimeS >= c.updateIntervalS else { return false }
        if a.pipeID != last.pipeID || a.severity != last.severity { return true }
        switch (a.positionM, last.positionM) {
        case let (x?, y?) where abs(x - y) >= c.positionStepM: return true
        case (.some, nil), (nil, .some): return true
        default: break
        }
        switch (a.sizeFraction, last.sizeFraction) {
        case let (x?, y?) where abs(x - y) >= c.sizeStep: return true
        case (.some, nil): return true
        default: return false
        }
    }
}

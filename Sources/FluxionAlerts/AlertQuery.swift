/// Which alerts a query or aggregate covers. Every condition present must hold; empty lists
/// and nil bounds mean "any".
public struct AlertQuery: Sendable, Equatable, Hashable {
    /// The largest page a query returns.
    public static let maxPageSize = 1000
    /// The most items any one list of a filter may hold (each becomes a bound parameter).
    public static let maxListItems = 1000

    /// Raised on one of these networks (the servers' `--network`; "" is the unnamed one).
    public var networks: [String] = []
    /// Raised at sim time in start…end (inclusive), s.
    public var simTimeRange: ClosedRange<Double>?
    /// Raised at wall time in start…end (inclusive), Unix ns.
    public var wallTimeRange: ClosedRange<Int64>?
    public var detectors: [String] = []
    public var stationIDs: [String] = []
    public var pipeIDs: [String] = []
    public var state: AlertRecord.State?
    /// Peak probability ≥ this.
    public var minProbability: Double = 0
    public var minSeverity: AlertSeverity?
    /// In one of these alarm states at the time of the query (empty: any).
    public var alarmStates: Set<AlarmState> = []

    public init(
        simTimeRange: ClosedRange<Double>? = nil, wallTimeRange: ClosedRange<Int64>? = nil,
        detectors: [String] = [], stationIDs: [String] = [], pipeIDs: [String] = [],
        state: AlertRecord.State? = nil, minProbability: Double = 0, minSeverity: AlertSeverity? = nil,
        networks: [String] = [], alarmStates: Set<AlarmState> = []
    ) {
        self.alarmStates = alarmStates
        self.networks = networks
        self.simTimeRange = simTimeRange
        self.wallTimeRange = wallTimeRange
        self.detectors = detectors
        self.stationIDs = stationIDs
        self.pipeIDs = pipeIDs
        self.state = state
        self.minProbability = minProbability
        self.minSeverity = minSeverity
    }

    /// Whether `alert` passes at wall time `now` (the same rule as the SQL, for live streams).
    public func matches(_ a: AlertRecord, atWallUnixNs now: Int64 = WallTime.nowUnixNs()) -> Bool {
        if !alarmStates.isEmpty, !alarmStates.contains(a.alarmState(atWallUnixNs: now)) { return false }
        if let r = simTimeRange, !r.contains(a.raisedSimTimeS) { return false }
        if let r = wallTimeRange, !r.contains(a.raisedWallUnixNs) { return false }
        if !networks.isEmpty, !networks.contains(a.network) { return false }
        if !detectors.isEmpty, !detectors.contains(a.detector) { return false }
        if !stationIDs.isEmpty, !stationIDs.contains(a.stationID ?? "") { return false }
        if !pipeIDs.isEmpty, !pipeIDs.contains(a.pipeID ?? "") { return false }
        if let s = state, a.state != s { return false }
        if a.probability < minProbability { return false }
        if let s = minSeverity, a.severity < s { return false }
        return true
    }
}

/// One page of a query, oldest raise first (ordered by raise sim time, then sequence).
public struct AlertPage: Sendable, Equatable {
    public var alerts: [AlertRecord]
    /// Pass back to get the next page; nil when this was the last.
    public var nextPageToken: String?
    /// How many alerts match the query in all.
    public var totalCount: Int
}

/// How aggregates are grouped.
public enum AlertGrouping: String, Sendable, Equatable, CaseIterable {
    /// Key: station id ("" for alerts with no station).
    case station
    /// Key: hour of day of the raise on the simulated clock, "00"…"23".
    case hourOfDay = "hour"
    case detector
    /// Key: the network's id.
    case network
}

/// One group of an aggregate.
public struct AlertBucketSummary: Sendable, Equatable {
    public var key: String
    public var count: Int
    /// Mean of the alerts' peak probabilities.
    public var meanProbability: Double
    public var maxProbability: Double

    public init(key: String, count: Int, meanProbability: Double, maxProbability: Double) {
        self.key = key
        self.count = count
        self.meanProbability = meanProbability
        self.maxProbability = maxProbability
    }
}

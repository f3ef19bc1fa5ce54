/// alerts.proto: alerts, their filter, QueryAlerts, AggregateAlerts and StreamAlerts.
///
/// Proto3 has no "absent" for scalars: an empty string or 0 stands for "not known" in
/// `Alert` (no pipe, no station, no matched leak, not yet cleared).

public enum AlertState: UInt32, Sendable, CaseIterable {
    /// In a filter: any state.
    case unspecified = 0
    case raised = 1
    case cleared = 2
}

public enum Severity: UInt32, Sendable, CaseIterable {
    case unspecified = 0
    case low = 1
    case medium = 2
    case high = 3
    case critical = 4
}

public struct Alert: Sendable, Equatable {
    public var alertID = ""
    public var detector = ""
    public var state = AlertState.unspecified
    public var raisedSimTimeS = 0.0
    public var raisedWallUnixNs: Int64 = 0
    /// 0 while raised.
    public var clearedSimTimeS = 0.0
    public var clearedWallUnixNs: Int64 = 0
    /// Peak probability while raised, 0…1.
    public var probability = 0.0
    public var severity = Severity.unspecified
    public var pipeID = ""
    /// m from the start of `pipeID`.
    public var positionM = 0.0
    public var stationID = ""
    public var segmentID = ""
    /// Leak outflow over nominal flow; 0 when the detector gave no size.
    public var estimatedSizeFraction = 0.0
    public var matchedLeakID = ""
    public init() {}
}

public struct SimTimeRange: Sendable, Equatable {
    public var startS: Double
    public var endS: Double
    public init(startS: Double, endS: Double) {
        self.startS = startS
        self.endS = endS
    }
}

public struct WallTimeRange: Sendable, Equatable {
    public var startUnixNs: Int64
    public var endUnixNs: Int64
    public init(startUnixNs: Int64, endUnixNs: Int64) {
        self.startUnixNs = startUnixNs
        self.endUnixNs = endUnixNs
    }
}

public struct AlertFilter: Sendable, Equatable {
    /// nil: unbounded.
    public var simTime: SimTimeRange?
    /// nil: unbounded.
    public var wallTime: WallTimeRange?
    public var detectors: [String] = []
    public var stationIDs: [String] = []
    public var pipeIDs: [String] = []
    public var state = AlertState.unspecified
    public var minProbability = 0.0
    public var minSeverity = Severity.unspecified
    public init() {}
}

public struct QueryAlertsRequest: Sendable, Equatable {
    public var filter = AlertFilter()
    /// 0: 100; at most 1000.
    public var pageSize: UInt32 = 0
    /// Empty for the first page, else the previous response's `nextPageToken`.
    public var pageToken = ""
    public init(filter: AlertFilter = AlertFilter(), pageSize: UInt32 = 0, pageToken: String = "") {
        self.filter = filter
        self.pageSize = pageSize
        self.pageToken = pageToken
    }
}

public struct QueryAlertsResponse: Sendable, Equatable {
    public var alerts: [Alert]
    /// Empty: no more pages.
    public var nextPageToken: String
    public var totalCount: UInt64
    public init(alerts: [Alert], nextPageToken: String, totalCount: UInt64) {
        self.alerts = alerts
        self.nextPageToken = nextPageToken
        self.totalCount = totalCount
    }
}

public enum AlertGrouping: UInt32, Sendable, CaseIterable {
    case unspecified = 0
    case station = 1
    case hourOfDay = 2
    case detector = 3
}

public struct AggregateAlertsRequest: Sendable, Equatable {
    public var filter: AlertFilter
    public var groupBy: AlertGrouping
    public init(filter: AlertFilter = AlertFilter(), groupBy: AlertGrouping = .unspecified) {
        self.filter = filter
        self.groupBy = groupBy
    }
}

public struct AlertBucket: Sendable, Equatable {
    public var key: String
    public var count: UInt64
    public var meanProbability: Double
    public var maxProbability: Double
    public init(key: String, count: UInt64, meanProbability: Double, maxProbability: Double) {
        self.key = key
        self.count = count
        self.meanProbability = meanProbability
        self.maxProbability = maxProbability
    }
}

public struct AggregateAlertsResponse: Sendable, Equatable {
    public var buckets: [AlertBucket]
    public init(buckets: [AlertBucket]) { self.buckets = buckets }
}

public struct StreamAlertsRequest: Sendable, Equatable {
    public var filter: AlertFilter
    public init(filter: AlertFilter = AlertFilter()) { self.filter = filter }
}

/// One change to an alert, as StreamAlerts delivers it (raised, updated or cleared: the
/// alert's state and times tell which).
public struct AlertEvent: Sendable, Equatable {
    public var alert: Alert
    public init(alert: Alert) { self.alert = alert }
}

extension AlertState {
    public var name: String {
        switch self {
        case .unspecified: "unspecified"
        case .raised: "raised"
        case .cleared: "cleared"
        }
    }
}

extension Severity {
    public var name: String {
        switch self {
        case .unspecified: "unspecified"
        case .low: "low"
        case .medium: "medium"
        case .high: "high"
        case .critical: "critical"
        }
    }
}

/// One alert as the engine produces it, the store keeps it and queries return it.
///
/// Times come in pairs: simulated seconds (the twin's clock, what detectors and leaks are
/// stamped with) and wall-clock Unix nanoseconds (when the server saw it).
public struct AlertRecord: Sendable, Equatable {
    public enum State: Int, Sendable, Equatable, CaseIterable {
        case raised = 1
        case cleared = 2

        public var name: String { self == .raised ? "raised" : "cleared" }
        public init?(name: String) {
            switch name {
            case "raised": self = .raised
            case "cleared": self = .cleared
            default: return nil
            }
        }
    }

    /// Unique within its network across restarts of the store (`ALR-<n>`).
    public var id: String
    /// The network (shard) whose server raised it; "" for a server with no `--network`.
    public var network: String
    public var detector: String
    public var state: State
    /// When the raise condition had held long enough, s of simulated time.
    public var raisedSimTimeS: Double
    public var raisedWallUnixNs: Int64
    /// When the clear condition had held long enough; nil while raised.
    public var clearedSimTimeS: Double?
    public var clearedWallUnixNs: Int64?
    /// Sim time of the newest change recorded in this value, s.
    public var updatedSimTimeS: Double
    /// Peak probability seen while raised, 0…1.
    public var probability: Double
    public var severity: AlertSeverity
    public var pipeID: String?
    /// m from the start of `pipeID` (the latest estimate).
    public var positionM: Double?
    /// The station nearest the estimated position along the pipes (see `NetworkLocator`).
    public var stationID: String?
    /// The line the pipe belongs to, or the pipe itself when it is on no line.
    public var segmentID: String?
    /// Leak outflow over nominal flow (the latest estimate).
    public var sizeFraction: Double?
    /// The injected leak this alert is attributed to (see `LeakMatcher`).
    public var matchedLeakID: String?
    /// Alarm handling (`AlarmAction`): changed only by `AlertStore.applyAlarm`; `save` keeps
    /// what the store holds (the engine's records never carry it).
    public var acknowledgement: Acknowledgement?
    /// The latest shelving, possibly run out (see `alarmState(atWallUnixNs:)`).
    public var shelving: Shelving?

    public init(
        id: String, detector: String, state: State = .raised, raisedSimTimeS: Double, raisedWallUnixNs: Int64,
        clearedSimTimeS: Double? = nil, clearedWallUnixNs: Int64? = nil, updatedSimTimeS: Double? = nil,
        probability: Double, severity: AlertSeverity = .low, pipeID: String? = nil, positionM: Double? = nil,
        stationID: String? = nil, segmentID: String? = nil, sizeFraction: Double? = nil,
        matchedLeakID: String? = nil, network: String = "", acknowledgement: Acknowledgement? = nil,
        shelving: Shelving? = nil
    ) {
        self.id = id
        self.network = network
        self.detector = detector
        self.state = state
        self.raisedSimTimeS = raisedSimTimeS
        self.raisedWallUnixNs = raisedWallUnixNs
        self.clearedSimTimeS = clearedSimTimeS
        self.clearedWallUnixNs = clearedWallUnixNs
        self.updatedSimTimeS = updatedSimTimeS ?? clearedSimTimeS ?? raisedSimTimeS
        self.probability = probability
        self.severity = severity
        self.pipeID = pipeID
        self.positionM = positionM
        self.stationID = stationID
        self.segmentID = segmentID
        self.sizeFraction = sizeFraction
        self.matchedLeakID = matchedLeakID
        self.acknowledgement = acknowledgement
        self.shelving = shelving
    }

    /// Hour of day of the raise on the simulated clock, 0…23 (sim time 0 is midnight, as the
    /// scenarios' daily demand profiles assume).
    public var raisedHourOfDay: Int { Self.hourOfDay(simTimeS: raisedSimTimeS) }

    public static func hourOfDay(simTimeS: Double) -> Int {
        guard simTimeS.isFinite else { return 0 }
        let day = simTimeS - (simTimeS / 86_400).rounded(.down) * 86_400
        return min(max(Int(day / 3600), 0), 23)
    }
}

/// What happened to an alert in one step of the engine.
public struct AlertEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case raised, updated, cleared
        /// Alarm handling (`AlarmAction`).
        case acknowledged, shelved, unshelved
    }

    public var kind: Kind
    /// The alert after the change.
    public var alert: AlertRecord
    /// For alarm events: the alert before the change (a stream filtered on alarm state shows
    /// an alert leaving it).
    public var previous: AlertRecord?
    /// For alarm events: who ("" for a shelving that ran out).
    public var actor: AlarmActor?

    public init(kind: Kind, alert: AlertRecord, previous: AlertRecord? = nil, actor: AlarmActor? = nil) {
        self.kind = kind
        self.alert = alert
        self.previous = previous
        self.actor = actor
    }
}

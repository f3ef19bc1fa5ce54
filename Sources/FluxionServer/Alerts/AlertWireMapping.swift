import FluxionAlerts
import FluxionDetectorKit
import FluxionTwin
import FluxionWire

extension Wire.Alert {
    /// The wire form of a stored alert: absent values become "" or 0 (proto3 scalars). The alarm
    /// state is the one at wall time `now` (a shelving that has run out is left out).
    init(_ a: AlertRecord, atWallUnixNs now: Int64 = WallTime.nowUnixNs()) {
        self.init()
        alarmState = Wire.AlarmState(rawValue: Int32(a.alarmState(atWallUnixNs: now).rawValue))
        acknowledgement = a.acknowledgement.map {
            Wire.Acknowledgement(
                operatorName: $0.by.operatorName, tokenID: $0.by.tokenID, wallUnixNs: $0.wallUnixNs, comment: $0.comment
            )
        }
        shelving = a.shelving(atWallUnixNs: now).map {
            Wire.Shelving(
                kind: $0.kind == .timed ? .timed : .oneShot, untilWallUnixNs: $0.untilWallUnixNs, reason: $0.reason,
                operatorName: $0.by.operatorName, tokenID: $0.by.tokenID, shelvedWallUnixNs: $0.wallUnixNs)
        }
        alertID = a.id
        detector = a.detector
        state = a.state == .raised ? .raised : .cleared
        raisedSimTimeS = a.raisedSimTimeS
        raisedWallUnixNs = a.raisedWallUnixNs
        clearedSimTimeS = a.clearedSimTimeS ?? 0
        clearedWallUnixNs = a.clearedWallUnixNs ?? 0
        probability = a.probability
        severity = Wire.Severity(rawValue: Int32(a.severity.rawValue))
        pipeID = a.pipeID ?? ""
        positionM = a.positionM ?? 0
        stationID = a.stationID ?? ""
        segmentID = a.segmentID ?? ""
        estimatedSizeFraction = a.sizeFraction ?? 0
        matchedLeakID = a.matchedLeakID ?? ""
        network = a.network
    }
}

extension Wire.AlertFilter {
    /// The store's query for this filter, or INVALID_ARGUMENT naming the bad field.
    func query() throws(RPCError) -> AlertQuery {
        var q = AlertQuery()
        if let t = simTime {
            // One-sided ranges: the open bound is ±infinity ("from T onwards": end_s = +inf).
            guard !t.startS.isNaN, !t.endS.isNaN, t.startS <= t.endS else {
                throw .invalidArgument(
                    "filter.sim_time: start_s must be ≤ end_s (an open end is ±infinity, e.g. end_s = +inf for \"from start_s on\"), got \(t.startS)…\(t.endS)"
                )
            }
            q.simTimeRange = t.startS...t.endS
        }
        if let t = wallTime {
            guard t.startUnixNs <= t.endUnixNs else {
                throw .invalidArgument(
                    "filter.wall_time: start_unix_ns must be ≤ end_unix_ns, got \(t.startUnixNs)…\(t.endUnixNs)")
            }
            q.wallTimeRange = t.startUnixNs...t.endUnixNs
        }
        for (field, items) in [
            ("networks", networks), ("detectors", detectors), ("station_ids", stationIDs), ("pipe_ids", pipeIDs),
        ] where items.count > AlertQuery.maxListItems {
            throw .invalidArgument("filter.\(field): at most \(AlertQuery.maxListItems) items, got \(items.count)")
        }
        q.networks = networks
        q.detectors = detectors
        q.stationIDs = stationIDs
        q.pipeIDs = pipeIDs
        switch state {
        case .unspecified: q.state = nil
        case .raised: q.state = .raised
        case .cleared: q.state = .cleared
        case .unrecognized(let n): throw .invalidArgument("filter.state: unknown alert state \(n)")
        }
        guard minProbability.isFinite, (0...1).contains(minProbability) else {
            throw .invalidArgument("filter.min_probability: must be 0…1, got \(minProbability)")
        }
        q.minProbability = minProbability
        switch minSeverity {
        case .unspecified: q.minSeverity = nil
        case .unrecognized(let n): throw .invalidArgument("filter.min_severity: unknown severity \(n)")
        default: q.minSeverity = AlertSeverity(rawValue: Int(minSeverity.rawValue))
        }
        guard alarmStates.count <= AlarmState.allCases.count * 4 else {
            throw .invalidArgument(
                "filter.alarm_states: at most \(AlarmState.allCases.count * 4) items, got \(alarmStates.count)")
        }
        for s in alarmStates {
            guard let state = AlarmState(rawValue: Int(s.rawValue)) else {
                throw .invalidArgument("filter.alarm_states: unknown alarm state \(s.rawValue)")
            }
            q.alarmStates.insert(state)
        }
        return q
    }
}

extension Wire.AlertEvent {
    /// The wire form of an event (the alarm state at `now`).
    init(_ e: FluxionAlerts.AlertEvent, atWallUnixNs now: Int64) {
        let kind: Wire.AlertEventKind =
            switch e.kind {
            case .raised: .raised
            case .updated: .updated
            case .cleared: .cleared
            case .acknowledged: .acknowledged
            case .shelved: .shelved
            case .unshelved: .unshelved
            }
        self.init(
            alert: Wire.Alert(e.alert, atWallUnixNs: now), kind: kind, operatorName: e.actor?.operatorName ?? "",
            tokenID: e.actor?.tokenID ?? "")
    }
}

extension AlertStoreError: RPCStatusConvertible {
    /// A bad token or filter is the caller's mistake; anything else is the server's.
    public var rpcError: RPCError {
        switch self {
        case .alertNotFound: return .notFound(description)
        case .alarmRefused: return RPCError(.failedPrecondition, description)
        default: break
        }
        if isTransient { return .unavailable(description) }
        return isCallerError ? .invalidArgument(description) : .internal(description)
    }
}

extension AlertService {
    /// What the alert engine needs of a twin's topology: pipes (with lines) and stations.
    public static func networkDescription(
        of topology: Topology, scenario: String = ""
    ) -> NetworkDescription {
        NetworkDescription(
            scenario: scenario, isGas: topology.isGas, timeStepS: 0, sensors: [],
            pipes: topology.pipes.map {
                PipeDescription(
                    id: $0.id, fromNode: $0.fromNode, toNode: $0.toNode, lengthM: $0.lengthM,
                    diameterM: $0.diameterM, waveSpeedMPerS: $0.waveSpeedMS, lineID: $0.lineId,
                    chainageStartM: $0.chainageStartM, nominalFlow: $0.nominalFlow)
            },
            stations: topology.stations.map { StationDescription(id: $0.id, name: $0.name, nodeID: $0.nodeId) },
            lines: [:])
    }

    /// The injected leaks, folded from the twin's leak events (latest state of each).
    static func leakReferences(_ events: [LeakEvent]) -> [LeakReference] {
        var order: [String] = []
        var byID: [String: LeakReference] = [:]
        for e in events {
            if byID[e.leak.id] == nil { order.append(e.leak.id) }
            var ref =
                byID[e.leak.id]
                ?? LeakReference(
                    id: e.leak.id, pipeID: e.leak.pipeId, positionM: e.leak.positionM, lineID: e.leak.lineId,
                    chainageM: e.leak.chainageM, startS: e.leak.startS)
            if e.kind == .cleared { ref.clearedS = e.leak.clearedS ?? e.simTimeS }
            byID[e.leak.id] = ref
        }
        return order.compactMap { byID[$0] }
    }
}

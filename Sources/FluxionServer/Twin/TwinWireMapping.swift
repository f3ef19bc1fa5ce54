import FluxionTwin
import FluxionWire

// Twin values <-> wire messages. Both modules name some types alike (Quantity, Reading,
// Topology, LeakState, SensorFault); this file is where they meet, with qualified names.

extension Wire.Quantity {
    init(_ q: Quantity) {
        self = Wire.Quantity(rawValue: Int32(q.rawValue))
    }
}

extension Wire.Leak {
    init(_ info: LeakInfo, createdWallUnixNs: Int64, clearedWallUnixNs: Int64) {
        self.init()
        leakID = info.id
        pipeID = info.pipeId
        positionM = info.positionM
        lineID = info.lineId ?? ""
        chainageM = info.chainageM ?? 0
        effectiveAreaM2 = info.effectiveAreaM2
        sizeFraction = info.sizeFraction
        startSimTimeS = info.startS
        rampS = info.rampS
        state =
            switch info.state {
            case .scheduled: .scheduled
            case .active: .active
            case .cleared: .cleared
            }
        clearedSimTimeS = info.clearedS ?? 0
        self.createdWallUnixNs = createdWallUnixNs
        self.clearedWallUnixNs = clearedWallUnixNs
        currentFlow = info.currentFlow
        source = info.source
    }
}

extension SensorFault {
    /// The twin's fault for a wire value; INVALID_ARGUMENT for a value this server does not know.
    init(_ f: Wire.SensorFault) throws(RPCError) {
        switch f {
        case .none: self = .none
        case .dropout: self = .dropout
        case .freeze: self = .freeze
        case .unrecognized(let n): throw .invalidArgument("fault: unknown sensor fault \(n)")
        }
    }
}

extension Wire.Topology {
    init(_ t: Topology, scenario: String, fluid: String) {
        self.init(
            scenario: scenario, fluid: fluid,
            nodes: t.nodes.map {
                Wire.TopologyNode(
                    id: $0.id, kind: $0.kind, location: Wire.Point(xM: $0.xM, yM: $0.yM),
                    elevationM: $0.elevationM, stationID: $0.stationId ?? "")
            },
            pipes: t.pipes.map {
                Wire.TopologyPipe(
                    id: $0.id, fromNode: $0.fromNode, toNode: $0.toNode, lengthM: $0.lengthM,
                    diameterM: $0.diameterM, waveSpeedMPerS: $0.waveSpeedMS, lineID: $0.lineId ?? "",
                    chainageStartM: $0.chainageStartM,
                    geometry: $0.geometry.map { Wire.Point(xM: $0.xM, yM: $0.yM) }, nominalFlow: $0.nominalFlow)
            },
            stations: t.stations.map {
                Wire.TopologyStation(
                    id: $0.id, name: $0.name, nodeID: $0.nodeId, location: Wire.Point(xM: $0.xM, yM: $0.yM))
            },
            sensors: t.sensors.map {
                Wire.TopologySensor(
                    id: $0.id, quantity: Wire.Quantity($0.quantity), unit: $0.unit,
                    pipeID: $0.pipeId ?? "", positionM: $0.positionM ?? 0, nodeID: $0.nodeId ?? "",
                    stationID: $0.stationId ?? "", sampleRateHz: $0.sampleRateHz)
            },
            lines: t.lines.map { line in
                Wire.TopologyLine(
                    id: line.id, pipeIDs: line.pipeIds,
                    lengthM: line.pipeIds.compactMap { id in t.pipes.first { $0.id == id }?.lengthM }.reduce(0, +))
            })
    }
}

extension Wire.InjectLeakRequest {
    /// The twin's request, or INVALID_ARGUMENT naming the field at fault.
    func leakRequest(source: String) throws(RPCError) -> LeakRequest {
        let location: LeakRequest.Location
        switch self.where {
        case nil: throw .invalidArgument("where: set pipe {pipe_id, position_m} or line {line_id, chainage_m}")
        case .pipe(let p)?:
            let (id, x) = (p.pipeID, p.positionM)
            guard !id.isEmpty else { throw .invalidArgument("pipe.pipe_id: must name a pipe") }
            guard x.isFinite, x >= 0 else { throw .invalidArgument("pipe.position_m: must be ≥ 0 m, got \(x)") }
            location = .pipe(id: id, positionM: x)
        case .line(let l)?:
            let (id, c) = (l.lineID, l.chainageM)
            guard !id.isEmpty else { throw .invalidArgument("line.line_id: must name a line") }
            guard c.isFinite, c >= 0 else { throw .invalidArgument("line.chainage_m: must be ≥ 0 m, got \(c)") }
            location = .line(id: id, chainageM: c)
        }
        let size: LeakRequest.Size
        switch self.size {
        case nil: throw .invalidArgument("size: set size_fraction (of nominal flow) or effective_area_m2")
        case .sizeFraction(let f)?:
            guard f.isFinite, f > 0, f <= 1 else {
                throw .invalidArgument("size_fraction: must be in (0, 1], got \(f)")
            }
            size = .fractionOfNominalFlow(f)
        case .effectiveAreaM2(let a)?:
            guard a.isFinite, a > 0 else { throw .invalidArgument("effective_area_m2: must be positive, got \(a)") }
            size = .effectiveAreaM2(a)
        }
        guard rampS.isFinite, rampS >= 0 else { throw .invalidArgument("ramp_s: must be ≥ 0 s, got \(rampS)") }
        guard dischargeCoefficient == 0 else {
            throw .invalidArgument(
                "discharge_coefficient: not used (deprecated), got \(dischargeCoefficient): give the leak's size as effective_area_m2 (Cd·A) or size_fraction"
            )
        }
        if let start = startSimTimeS, !start.isFinite || start < 0 {
            throw .invalidArgument("start_sim_time_s: must be ≥ 0 s, got \(start)")
        }
        return LeakRequest(
            location: location, size: size, startS: startSimTimeS, rampS: rampS,
            source: source)
    }
}

extension TwinError: RPCStatusConvertible {
    /// The wire status for an error of an InjectLeak request, naming the request's field.
    var injectLeakRPCError: RPCError {
        switch self {
        case let .unknownPipe(_, _, pipe): .invalidArgument("pipe.pipe_id: unknown pipe '\(pipe)'")
        case let .positionOutsidePipe(_, pipe, x, length):
            .invalidArgument("pipe.position_m: \(x) m is outside pipe '\(pipe)' (0…\(length) m)")
        case let .invalidValue(_, "line", reason): .invalidArgument("line.line_id: \(reason)")
        case let .invalidValue(_, "chainage_m", reason): .invalidArgument("line.chainage_m: \(reason)")
        case let .invalidValue(_, field, reason): .invalidArgument("\(field): \(reason)")
        default: .internal("\(self)")
        }
    }

    public var rpcError: RPCError {
        switch self {
        case .unknownLeak(let id): .notFound("unknown leak '\(id)'")
        case .unknownSensor(let id): .notFound("unknown sensor '\(id)'")
        case .invalidValue, .unknownPipe, .unknownNode, .positionOutsidePipe: .invalidArgument("\(self)")
        default: .internal("\(self)")
        }
    }
}

import CFluxionProto

extension Point {
    init(_ c: UnsafeMutablePointer<Fluxion__V1__Point>?) {
        self.init(xM: c?.pointee.x_m ?? 0, yM: c?.pointee.y_m ?? 0)
    }

    func cMessage(_ s: CStrings) -> UnsafeMutablePointer<Fluxion__V1__Point> {
        s.message(initialize: fluxion__v1__point__init) {
            $0.pointee.x_m = xM
            $0.pointee.y_m = yM
        }
    }
}

extension Topology: WireMessage {
    public static let protoName = "fluxion.v1.Topology"

    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__topology__unpack,
            free: fluxion__v1__topology__free_unpacked
        ) { m in
            Topology(
                scenario: ProtobufC.string(m.scenario), fluid: ProtobufC.string(m.fluid),
                nodes: ProtobufC.list(m.n_nodes, m.nodes) { n in
                    TopologyNode(
                        id: ProtobufC.string(n.id), kind: ProtobufC.string(n.kind), location: Point(n.location),
                        elevationM: n.elevation_m, stationID: ProtobufC.string(n.station_id))
                },
                pipes: ProtobufC.list(m.n_pipes, m.pipes) { p in
                    TopologyPipe(
                        id: ProtobufC.string(p.id), fromNode: ProtobufC.string(p.from_node),
                        toNode: ProtobufC.string(p.to_node), lengthM: p.length_m, diameterM: p.diameter_m,
                        waveSpeedMPerS: p.wave_speed_m_per_s, lineID: ProtobufC.string(p.line_id),
                        chainageStartM: p.chainage_start_m,
                        geometry: ProtobufC.list(p.n_geometry, p.geometry) { Point(xM: $0.x_m, yM: $0.y_m) },
                        nominalFlow: p.nominal_flow)
                },
                stations: ProtobufC.list(m.n_stations, m.stations) { st in
                    TopologyStation(
                        id: ProtobufC.string(st.id), name: ProtobufC.string(st.name),
                        nodeID: ProtobufC.string(st.node_id), location: Point(st.location))
                },
                sensors: ProtobufC.list(m.n_sensors, m.sensors) { se in
                    TopologySensor(
                        id: ProtobufC.string(se.id), quantity: Quantity(rawValue: se.quantity.rawValue) ?? .unspecified,
                        unit: ProtobufC.string(se.unit), pipeID: ProtobufC.string(se.pipe_id),
                        positionM: se.position_m, nodeID: ProtobufC.string(se.node_id),
                        stationID: ProtobufC.string(se.station_id), sampleRateHz: se.sample_rate_hz)
                },
                lines: ProtobufC.list(m.n_lines, m.lines) { l in
                    TopologyLine(
                        id: ProtobufC.string(l.id), pipeIDs: ProtobufC.strings(l.n_pipe_ids, l.pipe_ids),
                        lengthM: l.length_m)
                })
        }
    }

    public func encoded() -> [UInt8] {
        var m = Fluxion__V1__Topology()
        fluxion__v1__topology__init(&m)
        let s = CStrings()
        m.scenario = s.dup(scenario)
        m.fluid = s.dup(fluid)
        (m.n_nodes, m.nodes) = s.messages(nodes, initialize: fluxion__v1__topology_node__init) { n, c in
            c.pointee.id = s.dup(n.id)
            c.pointee.kind = s.dup(n.kind)
            c.pointee.location = n.location.cMessage(s)
            c.pointee.elevation_m = n.elevationM
            c.pointee.station_id = s.dup(n.stationID)
        }
        (m.n_pipes, m.pipes) = s.messages(pipes, initialize: fluxion__v1__topology_pipe__init) { p, c in
            c.pointee.id = s.dup(p.id)
            c.pointee.from_node = s.dup(p.fromNode)
            c.pointee.to_node = s.dup(p.toNode)
            c.pointee.length_m = p.lengthM
            c.pointee.diameter_m = p.diameterM
            c.pointee.wave_speed_m_per_s = p.waveSpeedMPerS
            c.pointee.line_id = s.dup(p.lineID)
            c.pointee.chainage_start_m = p.chainageStartM
            (c.pointee.n_geometry, c.pointee.geometry) = s.messages(p.geometry, initialize: fluxion__v1__point__init) {
                pt, cp in
                cp.pointee.x_m = pt.xM
                cp.pointee.y_m = pt.yM
            }
            c.pointee.nominal_flow = p.nominalFlow
        }
        (m.n_stations, m.stations) = s.messages(stations, initialize: fluxion__v1__topology_station__init) { st, c in
            c.pointee.id = s.dup(st.id)
            c.pointee.name = s.dup(st.name)
            c.pointee.node_id = s.dup(st.nodeID)
            c.pointee.location = st.location.cMessage(s)
        }
        (m.n_sensors, m.sensors) = s.messages(sensors, initialize: fluxion__v1__topology_sensor__init) { se, c in
            c.pointee.id = s.dup(se.id)
            c.pointee.quantity = Fluxion__V1__Quantity(rawValue: se.quantity.rawValue)
            c.pointee.unit = s.dup(se.unit)
            c.pointee.pipe_id = s.dup(se.pipeID)
            c.pointee.position_m = se.positionM
            c.pointee.node_id = s.dup(se.nodeID)
            c.pointee.station_id = s.dup(se.stationID)
            c.pointee.sample_rate_hz = se.sampleRateHz
        }
        (m.n_lines, m.lines) = s.messages(lines, initialize: fluxion__v1__topology_line__init) { l, c in
            c.pointee.id = s.dup(l.id)
            c.pointee.n_pipe_ids = l.pipeIDs.count
            c.pointee.pipe_ids = s.array(l.pipeIDs)
            c.pointee.length_m = l.lengthM
        }
        return withExtendedLifetime(s) {
            ProtobufC.pack(&m, size: fluxion__v1__topology__get_packed_size, pack: fluxion__v1__topology__pack)
        }
    }
}

extension GetTopologyRequest: WireMessage {
    public static let protoName = "fluxion.v1.GetTopologyRequest"

    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__get_topology_request__unpack,
            free: fluxion__v1__get_topology_request__free_unpacked
        ) { _ in GetTopologyRequest() }
    }

    public func encoded() -> [UInt8] { [] }
}

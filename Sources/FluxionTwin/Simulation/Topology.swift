/// A description of the network for clients (map, charts, filters).
public struct Topology: Sendable, Equatable {
    public struct NodeInfo: Sendable, Equatable {
        public var id: String
        /// reservoir, source, demand, valve, junction, dead_end.
        public var kind: String
        public var xM: Double
        public var yM: Double
        public var elevationM: Double
        public var stationId: String?
    }

    public struct PipeInfo: Sendable, Equatable {
        public var id: String
        public var fromNode: String
        public var toNode: String
        public var lengthM: Double
        public var diameterM: Double
        /// Wave speed used by the solver (after Courant adjustment), m/s.
        public var waveSpeedMS: Double
        public var lineId: String?
        public var chainageStartM: Double
        /// Polyline, m (at least the two end nodes).
        public var geometry: [MapPoint]
        /// Nominal flow: liquid m³/s, gas Sm³/h.
        public var nominalFlow: Double
    }

    public struct StationInfo: Sendable, Equatable {
        public var id: String
        public var name: String
        public var nodeId: String
        public var xM: Double
        public var yM: Double
    }

    public struct SensorInfo: Sendable, Equatable {
        public var id: String
        public var quantity: Quantity
        public var unit: String
        public var pipeId: String?
        /// Position read: the grid face nearest to the one configured, m from the pipe start.
        public var positionM: Double?
        public var nodeId: String?
        public var stationId: String?
        public var sampleRateHz: Double
    }

    public var nodes: [NodeInfo]
    public var pipes: [PipeInfo]
    public var stations: [StationInfo]
    public var sensors: [SensorInfo]
    public var lines: [Line]
    /// True for gas networks (units of flow and pressure differ).
    public var isGas: Bool
}

extension Simulation {
    /// The network as clients see it.
    public var topology: Topology {
        let net = scenario.network
        let isGas = net.fluid.isGas
        let stationAt = Dictionary(net.stations.map { ($0.nodeId, $0.id) }, uniquingKeysWith: { a, _ in a })
        let nodes = net.nodes.map {
            Topology.NodeInfo(
                id: $0.id, kind: $0.boundary.kindName, xM: $0.xM, yM: $0.yM,
                elevationM: $0.elevationM, stationId: stationAt[$0.id])
        }
        let pipes = net.pipes.enumerated().map { k, p -> Topology.PipeInfo in
            let a = net.nodes[solver.fromNode[k]], b = net.nodes[solver.toNode[k]]
            let line = net.lines.first { $0.pipeIds.contains(p.id) }
            return Topology.PipeInfo(
                id: p.id, fromNode: p.fromNode, toNode: p.toNode, lengthM: p.lengthM, diameterM: p.diameterM,
                waveSpeedMS: solver.grid.waveSpeedsMS[k], lineId: line?.id,
                chainageStartM: line.map { lineChainageStart(line: $0, pipeId: p.id) } ?? 0,
                geometry: p.geometry.isEmpty
                    ? [MapPoint(xM: a.xM, yM: a.yM), MapPoint(xM: b.xM, yM: b.yM)] : p.geometry,
                nominalFlow: Boundaries.fromSolverFlow(nominalFlow[k], fluid: net.fluid))
        }
        let stations = net.stations.map { s -> Topology.StationInfo in
            let n = net.nodes[net.nodeIndex(s.nodeId)!]
            return Topology.StationInfo(id: s.id, name: s.name, nodeId: s.nodeId, xM: n.xM, yM: n.yM)
        }
        let sensors = scenario.sensors.map { s -> Topology.SensorInfo in
            var info = Topology.SensorInfo(
                id: s.id, quantity: s.quantity, unit: s.quantity.unit(isGas: isGas),
                stationId: s.stationId, sampleRateHz: s.sampleRateHz)
            switch s.location {
            case let .pipe(id, x):
                // The grid face it reads (docs/PHYSICS.md, Sensors), within Δx/2 of the one asked.
                info.pipeId = id
                info.positionM = pipeIndex[id].map { solver.gridPosition(pipe: $0, positionM: x) } ?? x
            case let .node(id): info.nodeId = id
            }
            return info
        }
        return Topology(
            nodes: nodes, pipes: pipes, stations: stations, sensors: sensors, lines: net.lines, isGas: isGas)
    }
}

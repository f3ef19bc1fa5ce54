/// The physical network: fluid, nodes and pipes, plus the stations and lines that
/// name its parts. A plain value; the solver never writes back onto it.
public struct Network: Sendable, Equatable {
    public var fluid: Fluid
    public var nodes: [Node]
    public var pipes: [Pipe]
    public var stations: [Station]
    public var lines: [Line]

    public init(fluid: Fluid, nodes: [Node], pipes: [Pipe], stations: [Station] = [], lines: [Line] = []) {
        self.fluid = fluid
        self.nodes = nodes
        self.pipes = pipes
        self.stations = stations
        self.lines = lines
    }

    /// Index of a node by id.
    public func nodeIndex(_ id: String) -> Int? { nodes.firstIndex { $0.id == id } }
    /// Index of a pipe by id.
    public func pipeIndex(_ id: String) -> Int? { pipes.firstIndex { $0.id == id } }

    /// Gravitational acceleration for the fluid's potential, m/s².
    var gravity: Double {
        if case .liquid(let l) = fluid { return l.gravityMS2 }
        return 9.81
    }

    /// Checks the network: ids unique, lengths and diameters positive, pipe ends
    /// exist, every node connected, every connected part fed by a fixed-potential node,
    /// dead ends and valves on exactly one pipe. Throws the first problem found.
    public func validate() throws(TwinError) {
        var seen = Set<String>()
        for n in nodes {
            guard seen.insert(n.id).inserted else { throw .duplicateId(n.id) }
        }
        var pipeSeen = Set<String>()
        var degree = [Int](repeating: 0, count: nodes.count)
        var index = [String: Int]()
        for (i, n) in nodes.enumerated() { index[n.id] = i }
        for p in pipes {
            guard pipeSeen.insert(p.id).inserted else { throw .duplicateId(p.id) }
            guard p.lengthM > 0, p.lengthM.isFinite else {
                throw .invalidValue(element: p.id, field: "length_m", reason: "must be positive")
            }
            guard p.diameterM > 0, p.diameterM.isFinite else {
                throw .invalidValue(element: p.id, field: "diameter_m", reason: "must be positive")
            }
            guard p.waveSpeedMS(fluid: fluid) > 0 else {
                throw .invalidValue(element: p.id, field: "wave_speed_m_s", reason: "must be positive")
            }
            guard let a = index[p.fromNode] else { throw .unknownNode(element: p.id, field: "from", node: p.fromNode) }
            guard let b = index[p.toNode] else { throw .unknownNode(element: p.id, field: "to", node: p.toNode) }
            guard a != b else { throw .invalidValue(element: p.id, field: "to", reason: "pipe joins a node to itself") }
            degree[a] += 1
            degree[b] += 1
        }
        for (i, n) in nodes.enumerated() {
            if degree[i] == 0 { throw .disconnected(node: n.id) }
            switch n.boundary {
            case .deadEnd, .valve:
                if degree[i] != 1 {
                    throw .invalidValue(
                        element: n.id, field: "kind",
                        reason: "\(n.boundary.kindName) must end exactly one pipe, has \(degree[i])")
                }
                if case .valve(let v) = n.boundary, case .orifice = v.law, fluid.isGas {
                    throw .invalidValue(element: n.id, field: "law", reason: "orifice valves are for liquids only")
                }
            case .reservoir:
                if fluid.isGas {
                    throw .invalidValue(element: n.id, field: "kind", reason: "gas networks use a pressure source")
                }
            default: break
            }
        }
        // Connectivity: one component, containing a fixed-potential node.
        var adjacency = [[Int]](repeating: [], count: nodes.count)
        for p in pipes {
            let a = index[p.fromNode]!, b = index[p.toNode]!
            adjacency[a].append(b)
            adjacency[b].append(a)
        }
        var visited = [Bool](repeating: false, count: nodes.count)
        var stack = [0]
        visited[0] = nodes.isEmpty ? false : true
        while let v = stack.popLast() {
            for w in adjacency[v] where !visited[w] {
                visited[w] = true
                stack.append(w)
            }
        }
        if let lost = visited.firstIndex(of: false) { throw .disconnected(node: nodes[lost].id) }
        guard nodes.contains(where: { $0.isFixedPotential }) else { throw .noFixedPotential }
        for s in stations where index[s.nodeId] == nil {
            throw .unknownNode(element: s.id, field: "node", node: s.nodeId)
        }
        for l in lines {
            for pid in l.pipeIds where !pipeSeen.contains(pid) {
                throw .unknownPipe(element: l.id, field: "pipes", pipe: pid)
            }
        }
    }
}

extension Node {
    /// True for reservoirs and pressure sources.
    var isFixedPotential: Bool {
        switch boundary {
        case .reservoir, .pressureSource: true
        default: false
        }
    }
}

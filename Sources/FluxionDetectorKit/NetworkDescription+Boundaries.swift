extension NetworkDescription {
    /// The flow sensors at the network's entries and exits, by index into `sensors`.
    ///
    /// An entry is a pipe whose start node no pipe ends at; an exit, a pipe whose end node no
    /// pipe starts at; a flow sensor at a node counts as that node's outflow. Their balance
    /// (Σ inflow − Σ outflow, less the change of line pack) is what a leak takes.
    public func boundaryFlowSensors() -> (inflow: [Int], outflow: [Int]) {
        let starts = Set(pipes.map(\.fromNode)), ends = Set(pipes.map(\.toNode))
        let pipe = Dictionary(pipes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var inflow: [Int] = [], outflow: [Int] = []
        for (i, s) in sensors.enumerated() where s.quantity == "flow" {
            if let id = s.pipeID, let p = pipe[id] {
                if !ends.contains(p.fromNode) {
                    inflow.append(i)
                } else if !starts.contains(p.toNode) {
                    outflow.append(i)
                }
            } else if s.nodeID != nil {
                outflow.append(i)
            }
        }
        return (inflow, outflow)
    }

    /// The lines' pipes laid end to end in line-id order: where each pipe starts on that
    /// concatenated coordinate, m, and the total length (pipes off every line: the pipes in
    /// network order).
    public func lineCoordinate() -> (pipes: [(id: String, startM: Double, lengthM: Double)], lengthM: Double) {
        let byID = Dictionary(pipes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var ids = lines.keys.sorted().flatMap { lines[$0] ?? [] }.filter { byID[$0] != nil }
        if ids.isEmpty { ids = pipes.map(\.id) }
        var out: [(id: String, startM: Double, lengthM: Double)] = []
        var x = 0.0
        for id in ids {
            let p = byID[id]!
            out.append((id, x, p.lengthM))
            x += p.lengthM
        }
        return (out, x)
    }
}

/// Reading the state: values anywhere along a pipe, at nodes, and the storage.
extension TransientSolver {
    /// Potential P (liquid head m, gas Pa) and flow (solver unit) at `positionM`
    /// from the start of pipe k, linear between the start face, the cell centres
    /// and the end face.
    public func probe(pipe k: Int, positionM x: Double) -> (potential: Double, flow: Double) {
        let n = reaches[k]
        let dx = network.pipes[k].lengthM / Double(n)
        let s = x / dx - 0.5  // position in cell-centre units
        if s <= 0 {
            let w = max(0, (s + 0.5) / 0.5)
            let i = offset[k]
            return (startP[k] + w * (p[i] - startP[k]), startQ[k] + w * (q[i] - startQ[k]))
        }
        if s >= Double(n - 1) {
            let w = min(1, (s - Double(n - 1)) / 0.5)
            let i = offset[k] + n - 1
            return (p[i] + w * (endP[k] - p[i]), q[i] + w * (endQ[k] - q[i]))
        }
        let i0 = Int(s), w = s - Double(i0), i = offset[k] + i0
        return (p[i] + w * (p[i + 1] - p[i]), q[i] + w * (q[i + 1] - q[i]))
    }

    /// Potential at node j (liquid head m, gas Pa).
    public func nodePotential(_ j: Int) -> Double {
        for (k, atEnd) in attachments[j] { return atEnd ? endP[k] : startP[k] }
        return 0
    }

    /// External outflow at node j at the current time (demand, valve, node leaks;
    /// negative at a source), solver unit.
    public func nodeExternalOutflow(_ j: Int) -> Double { nodeOutflow[j] }

    /// Flow at the start and end face of pipe k, solver unit.
    public func endFlows(pipe k: Int) -> (start: Double, end: Double) { (startQ[k], endQ[k]) }

    /// Fluid stored in the pipes relative to P = 0: liquid Σ g·A·Δx·H/a² (m³ of
    /// compression storage), gas Σ A·Δx·p/c² (kg, the line pack).
    public var storedAmount: Double {
        var total = 0.0
        for k in 0..<reaches.count {
            var s = 0.0
            for i in offset[k]..<(offset[k] + reaches[k]) { s += p[i] }
            total += s * cellStorage[k]
        }
        return total
    }

    /// Current total leak outflow, solver unit.
    public var totalLeakOutflow: Double { leaks.reduce(0) { $0 + $1.outflow } }

    /// True when every cell and face value is finite.
    public var isFinite: Bool {
        !p.contains { !$0.isFinite } && !q.contains { !$0.isFinite }
    }

    /// Reaches (cells) of pipe k.
    public func reachCount(pipe k: Int) -> Int { reaches[k] }
}

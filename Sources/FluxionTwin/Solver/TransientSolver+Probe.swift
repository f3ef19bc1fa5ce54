/// Reading the state: values anywhere along a pipe, at nodes, and the storage.
extension TransientSolver {
    /// Potential P (liquid head m, gas Pa) and flow (solver unit) at the grid face nearest
    /// to `positionM` from the start of pipe k (faces at multiples of Δx; 0 and the length
    /// are the end nodes), at the current time level.
    ///
    /// Faces, not cells, because the faces are the time-consistent grid points: the cells
    /// of time level t hold the state half a step earlier (their characteristics reach the
    /// faces of t in Δt/2), so a value read at or between cell centres shows a front half
    /// a step late and, between two cells, half of it one step early. A face is computed
    /// as the kernel computes it (the C+ and C− characteristics of its two cells), so a
    /// front from a boundary or a leak at t₀ reaches the face at x exactly at t₀ + |x − x₀|/a.
    ///
    /// At a face with a leak the flow differs on the two sides: a position before the face
    /// (or on it) reads the flow arriving from the pipe's start side, a position after it
    /// the flow leaving towards the end.
    public func probe(pipe k: Int, positionM x: Double) -> (potential: Double, flow: Double) {
        let n = reaches[k]
        let face = gridFace(pipe: k, positionM: x)
        if face == 0 { return (startP[k], startQ[k]) }
        if face == n { return (endP[k], endQ[k]) }
        if let leak = leaks.first(where: { $0.pipe == k && $0.face == face }) {
            let before = x <= Double(face) * network.pipes[k].lengthM / Double(n)
            return (leak.faceP, before ? leak.leftQ : leak.rightQ)
        }
        let (cp, bp) = arrivingPlus(k, face - 1), (cm, bm) = arrivingMinus(k, face)
        if !euler { return (0.5 * (cp + cm), 0.5 * (cp - cm) / bp) }
        let flow = (cp - cm) / (bp + bm)
        return (cp - bp * flow, flow)
    }

    /// The grid face nearest to `positionM` on pipe k (0…reaches; halves round away from the
    /// start), as leaks and sensors use it.
    public func gridFace(pipe k: Int, positionM x: Double) -> Int {
        let n = reaches[k]
        return min(n, max(0, Int((x / (network.pipes[k].lengthM / Double(n))).rounded())))
    }

    /// Position of the grid face nearest to `positionM` on pipe k, m from its start.
    public func gridPosition(pipe k: Int, positionM x: Double) -> Double {
        Double(gridFace(pipe: k, positionM: x)) * network.pipes[k].lengthM / Double(reaches[k])
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

    /// A cheap check of the same, once per step: a NaN or an infinity anywhere makes the sums
    /// non-finite (finite values large enough to overflow a sum are far outside any physical
    /// state, and count as broken too).
    var sumsAreFinite: Bool {
        var sp = 0.0, sq = 0.0
        for v in p { sp += v }
        for v in q { sq += v }
        return (sp + sq).isFinite
    }

    /// The highest Mach number |v|/a in the cells, and where (gas v = q·a²/(p·A) from the mass
    /// flow; liquid v = Q/A).
    public func highestMach() -> (pipe: Int, positionM: Double, value: Double) {
        var best = (pipe: 0, positionM: 0.0, value: 0.0)
        let gas = network.fluid.isGas
        for k in 0..<reaches.count {
            let n = reaches[k], area = network.pipes[k].areaM2, a = grid.waveSpeedsMS[k]
            for i in 0..<n {
                let j = offset[k] + i
                let mach = gas ? abs(q[j]) * a / (p[j] * area) : abs(q[j]) / (area * a)
                if !(mach <= best.value) { best = (k, (Double(i) + 0.5) / Double(n) * network.pipes[k].lengthM, mach) }
            }
        }
        return best
    }

    /// The lowest pressure in the cells, and where: gas absolute pressure, Pa; liquid pressure
    /// head above the ambient, m (H − z, z interpolated between the pipe's end nodes).
    public func lowestPressure() -> (pipe: Int, positionM: Double, value: Double) {
        var best = (pipe: 0, positionM: 0.0, value: Double.infinity)
        let gas = network.fluid.isGas
        for k in 0..<reaches.count {
            let n = reaches[k], length = network.pipes[k].lengthM
            let z0 = network.nodes[fromNode[k]].elevationM, z1 = network.nodes[toNode[k]].elevationM
            for i in 0..<n {
                let s = (Double(i) + 0.5) / Double(n)
                let v = gas ? p[offset[k] + i] : p[offset[k] + i] - (z0 + s * (z1 - z0))
                if !(v >= best.value) { best = (k, s * length, v) }
            }
        }
        return best
    }

    /// Reaches (cells) of pipe k.
    public func reachCount(pipe k: Int) -> Int { reaches[k] }
}

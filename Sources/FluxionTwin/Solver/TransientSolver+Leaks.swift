/// Leaks on the solver grid.
extension TransientSolver {
    /// Adds an orifice leak on pipe k at `positionM` from its start (snapped to the
    /// nearest face of the grid; the pipe ends are its nodes).
    /// - Returns: a key for later changes, and the position actually used, m.
    public mutating func addLeak(
        pipe k: Int, positionM x: Double, dischargeAreaM2 cdA: Double,
        startS: Double, rampS: Double
    ) -> (key: Int, resolvedPositionM: Double) {
        let pipe = network.pipes[k]
        let n = reaches[k]
        let dx = pipe.lengthM / Double(n)
        let face = gridFace(pipe: k, positionM: x)
        let resolved = Double(face) * dx
        let z0 = network.nodes[fromNode[k]].elevationM, z1 = network.nodes[toNode[k]].elevationM
        let key = nextLeakKey
        nextLeakKey += 1
        // The face's state before the leak (the Euler characteristics interpolate towards it).
        let before = probe(pipe: k, positionM: resolved)
        leaks.append(
            SolverLeak(
                key: key, pipe: k, face: face, dischargeAreaM2: cdA, startS: startS, rampS: rampS,
                clearedS: nil, outletHeadM: z0 + (z1 - z0) * resolved / pipe.lengthM,
                faceP: before.potential, leftQ: before.flow, rightQ: before.flow))
        computeFaces()
        return (key, resolved)
    }

    /// Closes a leak at time `atS` (s): it is shut from the first time level after `atS`
    /// (`EventTiming`; a leak cleared now still flows over the step that follows) and dropped
    /// then.
    public mutating func clearLeak(key: Int, atS t: Double) {
        guard let i = leaks.firstIndex(where: { $0.key == key }) else { return }
        leaks[i].clearedS = t
        dropClosedLeaks()
        computeFaces()
    }

    /// Removes leaks whose clearing time has passed.
    mutating func dropClosedLeaks() {
        leaks.removeAll { leak in leak.clearedS.map { EventTiming.acts(eventS: $0, atTimeS: timeS) } ?? false }
    }

    /// Current outflow of a leak, solver unit (0 when unknown or closed).
    public func leakOutflow(key: Int) -> Double {
        leaks.first { $0.key == key }?.outflow ?? 0
    }
}

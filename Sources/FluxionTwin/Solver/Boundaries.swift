/// Boundary-condition values in solver units (liquid: head m, m³/s; gas: Pa, kg/s).
enum Boundaries {
    /// Fixed potential of a node at time t, or nil for a free node.
    static func fixedPotential(_ node: Node, fluid: Fluid, atTimeS t: Double) -> Double? {
        switch (node.boundary, fluid) {
        case let (.reservoir(h), _): return h
        case let (.pressureSource(p), .gas): return p
        case let (.pressureSource(p), .liquid(l)): return node.elevationM + p / (l.densityKgM3 * l.gravityMS2)
        default: return nil
        }
    }

    /// Prescribed external outflow at time t (demands, prescribed-flow valves), solver unit.
    static func prescribedOutflow(_ node: Node, fluid: Fluid, atTimeS t: Double) -> Double {
        switch node.boundary {
        case .demand(let d): return toSolverFlow(d.flow(atTimeS: t), fluid: fluid)
        case .valve(let v):
            if case .prescribedFlow(let q0) = v.law {
                return toSolverFlow(q0 * v.closure.openFraction(atTimeS: t), fluid: fluid)
            }
            return 0
        default: return 0
        }
    }

    /// Orifice of an orifice valve at time t: (Cd·A m², outlet head m), or nil.
    static func valveOrifice(_ node: Node, atTimeS t: Double) -> (cdA: Double, outletHeadM: Double)? {
        guard case .valve(let v) = node.boundary, case let .orifice(cdA, hd) = v.law else { return nil }
        return (cdA * v.closure.openFraction(atTimeS: t), node.elevationM + hd)
    }

    /// Total outflow at t = 0 for the steady state, solver unit.
    static func steadyOutflow(_ node: Node, fluid: Fluid, potential: Double, gravity: Double) -> Double {
        var out = prescribedOutflow(node, fluid: fluid, atTimeS: 0)
        if let o = valveOrifice(node, atTimeS: 0) {
            out += Orifice.liquidFlow(dischargeAreaM2: o.cdA, headM: potential - o.outletHeadM, gravityMS2: gravity)
        }
        return out
    }

    /// Converts a user flow (liquid m³/s, gas Sm³/h) to the solver unit (m³/s, kg/s).
    static func toSolverFlow(_ q: Double, fluid: Fluid) -> Double {
        if case .gas(let g) = fluid { return g.massFlowKgS(standardCubicMetresPerHour: q) }
        return q
    }

    /// Converts a solver flow to the user unit (liquid m³/s, gas Sm³/h).
    static func fromSolverFlow(_ q: Double, fluid: Fluid) -> Double {
        if case .gas(let g) = fluid { return g.standardCubicMetresPerHour(massFlowKgS: q) }
        return q
    }
}

import Foundation

/// A point of the network where pipes meet or end, with its boundary condition.
public struct Node: Sendable, Equatable {
    /// Unique id within the network.
    public var id: String
    /// What the node imposes on the flow.
    public var boundary: BoundaryCondition
    /// Elevation of the pipe axis, m.
    public var elevationM: Double
    /// Map coordinates, m (for the dashboard; no effect on the physics).
    public var xM: Double
    public var yM: Double

    public init(
        id: String, boundary: BoundaryCondition = .junction, elevationM: Double = 0,
        xM: Double = 0, yM: Double = 0
    ) {
        self.id = id
        self.boundary = boundary
        self.elevationM = elevationM
        self.xM = xM
        self.yM = yM
    }
}

/// Boundary condition at a node. A node with several pipes is always a junction
/// (mass balance, one common potential) plus whatever outflow it carries.
public enum BoundaryCondition: Sendable, Equatable {
    /// Junction of any number of pipes, no external flow.
    case junction
    /// Pipe end with no flow (a junction with one pipe).
    case deadEnd
    /// Liquid reservoir at a fixed piezometric head, m.
    case reservoir(headM: Double)
    /// Fixed pressure source: gauge Pa for liquids, absolute Pa for gas.
    case pressureSource(pressurePa: Double)
    /// External outflow: liquid m³/s, gas Sm³/h, times the profile's multiplier.
    case demand(Demand)
    /// End-of-line valve discharging out of the network, with a closure curve.
    case valve(Valve)

    /// Short name used by the topology ("reservoir", "junction", …).
    public var kindName: String {
        switch self {
        case .junction: "junction"
        case .deadEnd: "dead_end"
        case .reservoir: "reservoir"
        case .pressureSource: "source"
        case .demand: "demand"
        case .valve: "valve"
        }
    }
}

/// An outflow with an optional time profile.
public struct Demand: Sendable, Equatable {
    /// Base outflow: liquid m³/s, gas Sm³/h (standard conditions 15 °C, 101.325 kPa).
    public var baseFlow: Double
    /// Multiplier over simulated time (dimensionless); nil: 1.
    public var profile: TimeProfile?

    public init(baseFlow: Double, profile: TimeProfile? = nil) {
        self.baseFlow = baseFlow
        self.profile = profile
    }

    /// Outflow at time t, in the unit of `baseFlow`.
    public func flow(atTimeS t: Double) -> Double {
        baseFlow * (profile?.value(atTimeS: t) ?? 1)
    }
}

/// A valve at the end of a pipe, discharging out of the network.
public struct Valve: Sendable, Equatable {
    public enum Law: Sendable, Equatable {
        /// Flow imposed as `openFlow · τ(t)` (TSNet's valve at a dead end):
        /// liquid m³/s, gas Sm³/h.
        case prescribedFlow(openFlow: Double)
        /// Orifice Q = τ(t)·Cd·A·√(2g·(H − z − h_down)), liquid only; Cd·A in m²,
        /// downstream pressure head in m.
        case orifice(dischargeAreaM2: Double, downstreamHeadM: Double)
    }
    public var law: Law
    public var closure: ValveClosure

    public init(law: Law, closure: ValveClosure = .open) {
        self.law = law
        self.closure = closure
    }
}

/// Open fraction τ(t) of a valve (1 open, 0 shut).
public enum ValveClosure: Sendable, Equatable {
    /// Always open.
    case open
    /// TSNet's rule: τ = 1 up to and including `startS`, τ = 1 − (1 − final)·((t − start)/duration)^m
    /// during the closure, `finalOpenFraction` after. Duration 0 closes at once, on the first
    /// time level after `startS` (`EventTiming`).
    case rule(durationS: Double, startS: Double, finalOpenFraction: Double, exponent: Double)
    /// A table of open fractions over time.
    case table(TimeProfile)

    /// Open fraction at time t (s).
    public func openFraction(atTimeS t: Double) -> Double {
        switch self {
        case .open:
            return 1
        case let .rule(tc, ts, se, m):
            if !EventTiming.acts(eventS: ts, atTimeS: t) { return 1 }
            if tc <= 0 || t >= ts + tc { return se }
            return 1 - (1 - se) * Foundation.pow((t - ts) / tc, m)
        case let .table(p):
            return max(0, p.value(atTimeS: t))
        }
    }
}

import Foundation

/// A pipe between two nodes. Flow is positive from `fromNode` to `toNode`.
public struct Pipe: Sendable, Equatable {
    public var id: String
    public var fromNode: String
    public var toNode: String
    /// Length, m.
    public var lengthM: Double
    /// Internal diameter, m.
    public var diameterM: Double
    /// Friction: a fixed Darcy factor, or a wall roughness.
    public var friction: Friction
    /// Pressure-wave speed: given, or computed from the fluid and the wall.
    public var waveSpeed: WaveSpeed
    /// Line this pipe belongs to, and chainage of its start along that line, m.
    public var lineId: String?
    public var chainageStartM: Double
    /// Map polyline (m), start to end; empty: straight between the nodes.
    public var geometry: [MapPoint]
    /// Nominal flow (liquid m³/s, gas Sm³/h) for leak sizes given as a fraction;
    /// nil: the steady-state flow at t = 0.
    public var nominalFlow: Double?

    public init(
        id: String, from: String, to: String, lengthM: Double, diameterM: Double,
        friction: Friction, waveSpeed: WaveSpeed, lineId: String? = nil,
        chainageStartM: Double = 0, geometry: [MapPoint] = [], nominalFlow: Double? = nil
    ) {
        self.id = id
        self.fromNode = from
        self.toNode = to
        self.lengthM = lengthM
        self.diameterM = diameterM
        self.friction = friction
        self.waveSpeed = waveSpeed
        self.lineId = lineId
        self.chainageStartM = chainageStartM
        self.geometry = geometry
        self.nominalFlow = nominalFlow
    }

    /// Cross-section area, m².
    public var areaM2: Double { Double.pi * diameterM * diameterM / 4 }

    /// Wave speed, m/s, for this pipe and fluid (before Courant adjustment).
    public func waveSpeedMS(fluid: Fluid) -> Double {
        switch (waveSpeed, fluid) {
        case let (.given(a), _):
            return a
        case (.fromWall, .gas(let g)):
            return g.waveSpeedMS
        case let (.fromWall(youngPa, thicknessM, c1), .liquid(l)):
            // Korteweg: a = √(K/ρ / (1 + c1·K·D/(E·e))).
            let k = l.bulkModulusPa
            return (k / l.densityKgM3 / (1 + c1 * k * diameterM / (youngPa * thicknessM))).squareRoot()
        }
    }
}

/// A point on the map, m.
public struct MapPoint: Sendable, Equatable {
    public var xM: Double
    public var yM: Double
    public init(xM: Double, yM: Double) {
        self.xM = xM
        self.yM = yM
    }
}

/// How a pipe's friction factor is given.
public enum Friction: Sendable, Equatable {
    /// Darcy friction factor f (dimensionless), held constant.
    case darcy(Double)
    /// Absolute wall roughness ε, m; f from the steady-state Reynolds number.
    case roughness(meters: Double, formula: FrictionFormula)
}

/// Formula giving the Darcy factor from roughness and Reynolds number.
public enum FrictionFormula: String, Sendable, Equatable {
    case colebrook
    case swameeJain = "swamee_jain"
}

/// How a pipe's wave speed is given.
public enum WaveSpeed: Sendable, Equatable {
    /// Wave speed, m/s.
    case given(Double)
    /// From the fluid: liquids by Korteweg from the wall's Young's modulus (Pa),
    /// thickness (m) and restraint factor c1 (1 for expansion joints, 1 − ν² …);
    /// gas by √(Z·R·T) (wall elasticity negligible).
    case fromWall(youngModulusPa: Double, thicknessM: Double, restraintFactor: Double)
}

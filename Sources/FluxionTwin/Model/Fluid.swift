import Foundation

/// The fluid carried by a network. The solver is written once for a generic
/// "potential" variable `P` and "flow" variable `Q`:
///
/// | fluid  | P                      | Q              | wave speed          |
/// |--------|------------------------|----------------|---------------------|
/// | liquid | piezometric head, m    | volume flow, m³/s | given or Korteweg |
/// | gas    | absolute pressure, Pa  | mass flow, kg/s   | √(Z·R·T)          |
///
/// The fluid supplies the few coefficients that differ (characteristic impedance,
/// storage, friction scaling, orifice law); see docs/PHYSICS.md.
public enum Fluid: Sendable, Equatable {
    case liquid(Liquid)
    case gas(Gas)

    /// True for a compressible gas.
    public var isGas: Bool {
        if case .gas = self { return true }
        return false
    }
}

/// A slightly compressible liquid (water, crude oil).
public struct Liquid: Sendable, Equatable {
    /// Density at the reference state, kg/m³.
    public var densityKgM3: Double
    /// Bulk modulus, Pa (water ≈ 2.19e9).
    public var bulkModulusPa: Double
    /// Kinematic viscosity, m²/s (water at 20 °C ≈ 1.0e-6).
    public var kinematicViscosityM2S: Double
    /// Fluid temperature, °C (reported by temperature sensors; constant).
    public var temperatureC: Double
    /// Gravitational acceleration, m/s² (TSNet uses 9.8).
    public var gravityMS2: Double

    public init(
        densityKgM3: Double = 998.2, bulkModulusPa: Double = 2.19e9,
        kinematicViscosityM2S: Double = 1.004e-6, temperatureC: Double = 20,
        gravityMS2: Double = 9.81
    ) {
        self.densityKgM3 = densityKgM3
        self.bulkModulusPa = bulkModulusPa
        self.kinematicViscosityM2S = kinematicViscosityM2S
        self.temperatureC = temperatureC
        self.gravityMS2 = gravityMS2
    }

    /// Water at 20 °C.
    public static let water = Liquid()
}

/// A natural gas treated as an isothermal real gas `p = Z·ρ·R·T` with constant
/// compressibility factor Z. The flow dynamics use `referenceTemperatureK`; the
/// optional temperature profile drives reported temperature and density only
/// (see docs/PHYSICS.md, "Limits").
public struct Gas: Sendable, Equatable {
    /// Specific gas constant R, J/(kg·K) (natural gas, M ≈ 17.4 g/mol: ≈ 478).
    public var specificGasConstantJKgK: Double
    /// Compressibility factor Z (dimensionless).
    public var compressibility: Double
    /// Gas temperature used by the dynamics, K.
    public var referenceTemperatureK: Double
    /// Dynamic viscosity, Pa·s (natural gas ≈ 1.1e-5).
    public var dynamicViscosityPaS: Double
    /// Ratio of specific heats γ, used by the choked/subsonic orifice law.
    public var heatCapacityRatio: Double
    /// Ambient (outside) absolute pressure for leaks, Pa.
    public var ambientPressurePa: Double
    /// Gas temperature over the day (°C vs seconds of day), reporting only; nil: constant.
    public var temperatureProfileC: TimeProfile?
    /// Momentum equation of the dynamics (docs/PHYSICS.md, "Gas momentum equation").
    public var momentum: GasMomentum

    public init(
        specificGasConstantJKgK: Double = 478.0, compressibility: Double = 0.99,
        referenceTemperatureK: Double = 288.15, dynamicViscosityPaS: Double = 1.1e-5,
        heatCapacityRatio: Double = 1.31, ambientPressurePa: Double = 101_325,
        temperatureProfileC: TimeProfile? = nil, momentum: GasMomentum = .noConvection
    ) {
        self.specificGasConstantJKgK = specificGasConstantJKgK
        self.compressibility = compressibility
        self.referenceTemperatureK = referenceTemperatureK
        self.dynamicViscosityPaS = dynamicViscosityPaS
        self.heatCapacityRatio = heatCapacityRatio
        self.ambientPressurePa = ambientPressurePa
        self.temperatureProfileC = temperatureProfileC
        self.momentum = momentum
    }

    /// Standard conditions of the gas industry: 15 °C, 101.325 kPa.
    public static let standardTemperatureK = 288.15
    /// Standard pressure, Pa.
    public static let standardPressurePa = 101_325.0

    /// Isothermal wave speed √(Z·R·T), m/s, at the reference temperature.
    public var waveSpeedMS: Double {
        (compressibility * specificGasConstantJKgK * referenceTemperatureK).squareRoot()
    }

    /// Density at standard conditions, kg/m³ (Z taken as 1 at standard conditions).
    public var standardDensityKgM3: Double {
        Gas.standardPressurePa / (specificGasConstantJKgK * Gas.standardTemperatureK)
    }

    /// Density ρ = p/(Z·R·T), kg/m³, for absolute pressure in Pa and temperature in K.
    public func densityKgM3(pressurePa: Double, temperatureK: Double) -> Double {
        pressurePa / (compressibility * specificGasConstantJKgK * temperatureK)
    }

    /// Gas temperature at a simulated time, °C (profile, or the reference temperature).
    public func temperatureC(atTimeS t: Double) -> Double {
        temperatureProfileC?.value(atTimeS: t) ?? (referenceTemperatureK - 273.15)
    }

    /// Mass flow kg/s → standard volume flow Sm³/h.
    public func standardCubicMetresPerHour(massFlowKgS: Double) -> Double {
        massFlowKgS / standardDensityKgM3 * 3600
    }

    /// Standard volume flow Sm³/h → mass flow kg/s.
    public func massFlowKgS(standardCubicMetresPerHour q: Double) -> Double {
        q * standardDensityKgM3 / 3600
    }
}

/// A simulated instrument: what it measures, where, how often and how badly.
public struct Sensor: Sendable, Equatable {
    public var id: String
    public var quantity: Quantity
    public var location: SensorLocation
    /// Station the instrument belongs to, if any.
    public var stationId: String?
    /// Samples per second, Hz (capped by the solver step: at most one per tick).
    public var sampleRateHz: Double
    /// Standard deviation of Gaussian noise, in the reading's unit.
    public var noiseStdDev: Double
    /// Constant offset added to every reading, in the reading's unit.
    public var bias: Double
    /// Quantization step (0: none), in the reading's unit.
    public var quantization: Double
    /// Totalized flow only: reading at t = 0, m³ (gas Sm³).
    public var initialTotal: Double
    /// Differential pressure only: reading at the pipe's nominal flow (and the t = 0
    /// density), Pa; scales with ṁ|ṁ|/ρ like an orifice or venturi meter.
    public var nominalDifferentialPa: Double
    /// Density only: report the density at standard conditions (15 °C, 101.325 kPa;
    /// "base density" of gas metering) instead of the line density.
    public var standardConditions: Bool

    public init(
        id: String, quantity: Quantity, location: SensorLocation, stationId: String? = nil,
        sampleRateHz: Double = 1, noiseStdDev: Double = 0, bias: Double = 0,
        quantization: Double = 0, initialTotal: Double = 0, nominalDifferentialPa: Double = 0,
        standardConditions: Bool = false
    ) {
        self.standardConditions = standardConditions
        self.id = id
        self.quantity = quantity
        self.location = location
        self.stationId = stationId
        self.sampleRateHz = sampleRateHz
        self.noiseStdDev = noiseStdDev
        self.bias = bias
        self.quantization = quantization
        self.initialTotal = initialTotal
        self.nominalDifferentialPa = nominalDifferentialPa
    }
}

/// Where a sensor sits.
public enum SensorLocation: Sendable, Equatable {
    /// On a pipe, `positionM` from its start, m.
    case pipe(id: String, positionM: Double)
    /// At a node (flow quantities: the node's external outflow).
    case node(id: String)
}

/// Measured quantity; numbering follows the wire protocol (twin.proto).
public enum Quantity: Int, Sendable, CaseIterable {
    case pressure = 1
    case flow = 2
    case temperature = 3
    case density = 4
    case differentialPressure = 5
    case totalizedFlow = 6
    case head = 7

    /// Name used in scenario files and CSV output.
    public var name: String {
        switch self {
        case .pressure: "pressure"
        case .flow: "flow"
        case .temperature: "temperature"
        case .density: "density"
        case .differentialPressure: "differential_pressure"
        case .totalizedFlow: "totalized_flow"
        case .head: "head"
        }
    }

    /// Parses a scenario-file name.
    public init?(name: String) {
        guard let q = Quantity.allCases.first(where: { $0.name == name }) else { return nil }
        self = q
    }

    /// Unit of a reading for the given fluid (pressure: gauge Pa for liquids,
    /// absolute Pa for gas; flow: m³/s for liquids, Sm³/h for gas).
    public func unit(isGas: Bool) -> String {
        switch self {
        case .pressure, .differentialPressure: "Pa"
        case .flow: isGas ? "Sm3/h" : "m3/s"
        case .temperature: "degC"
        case .density: "kg/m3"
        case .totalizedFlow: isGas ? "Sm3" : "m3"
        case .head: "m"
        }
    }
}

/// A failure mode that can be commanded on a sensor.
public enum SensorFault: String, Sendable, CaseIterable {
    /// Healthy.
    case none
    /// Readings keep coming, flagged invalid (value NaN).
    case dropout
    /// Readings repeat the last value before the fault, flagged valid.
    case freeze
}

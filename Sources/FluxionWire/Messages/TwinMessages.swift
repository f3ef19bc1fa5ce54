/// Messages of the live twin's RPCs (twin.proto): readings, leaks, topology, clock, sensor faults.

public enum Quantity: UInt32, Sendable, CaseIterable {
    case unspecified = 0
    case pressure = 1
    case flow = 2
    case temperature = 3
    case density = 4
    case differentialPressure = 5
    case totalizedFlow = 6
    case head = 7

    /// The lower-case name used in the CLI and JSON (`differential_pressure`).
    public var name: String {
        switch self {
        case .unspecified: "unspecified"
        case .pressure: "pressure"
        case .flow: "flow"
        case .temperature: "temperature"
        case .density: "density"
        case .differentialPressure: "differential_pressure"
        case .totalizedFlow: "totalized_flow"
        case .head: "head"
        }
    }

    public init?(name: String) {
        guard let q = Quantity.allCases.first(where: { $0.name == name && $0 != .unspecified }) else { return nil }
        self = q
    }
}

public struct Reading: Sendable, Equatable {
    public var sensorID: String
    public var quantity: Quantity
    public var value: Double
    public var unit: String
    public var simTimeS: Double
    public var wallTimeUnixNs: Int64
    public var valid: Bool

    public init(
        sensorID: String, quantity: Quantity, value: Double, unit: String, simTimeS: Double,
        wallTimeUnixNs: Int64, valid: Bool = true
    ) {
        self.sensorID = sensorID
        self.quantity = quantity
        self.value = value
        self.unit = unit
        self.simTimeS = simTimeS
        self.wallTimeUnixNs = wallTimeUnixNs
        self.valid = valid
    }
}

public struct ReadingBatch: Sendable, Equatable {
    public var tick: UInt64
    public var simTimeS: Double
    public var wallTimeUnixNs: Int64
    public var readings: [Reading]
    public var skippedBatches: UInt64

    public init(tick: UInt64, simTimeS: Double, wallTimeUnixNs: Int64, readings: [Reading], skippedBatches: UInt64 = 0)
    {
        self.tick = tick
        self.simTimeS = simTimeS
        self.wallTimeUnixNs = wallTimeUnixNs
        self.readings = readings
        self.skippedBatches = skippedBatches
    }
}

public struct StreamReadingsRequest: Sendable, Equatable {
    public var sensorIDs: [String] = []
    public var pipeIDs: [String] = []
    public var stationIDs: [String] = []
    public var quantities: [Quantity] = []
    public var maxRateHz: Double = 0
    public var decimation: UInt32 = 0
    public init() {}
}

public enum LeakState: UInt32, Sendable {
    case unspecified = 0
    case scheduled = 1
    case active = 2
    case cleared = 3

    public var name: String {
        switch self {
        case .unspecified: "unspecified"
        case .scheduled: "scheduled"
        case .active: "active"
        case .cleared: "cleared"
        }
    }
}

public struct Leak: Sendable, Equatable {
    public var leakID = ""
    public var pipeID = ""
    public var positionM = 0.0
    public var lineID = ""
    public var chainageM = 0.0
    public var effectiveAreaM2 = 0.0
    public var dischargeCoefficient = 0.0
    public var sizeFraction = 0.0
    public var startSimTimeS = 0.0
    public var rampS = 0.0
    public var state = LeakState.unspecified
    public var clearedSimTimeS = 0.0
    public var createdWallUnixNs: Int64 = 0
    public var clearedWallUnixNs: Int64 = 0
    public var currentFlow = 0.0
    public var source = ""
    public init() {}
}

public struct InjectLeakRequest: Sendable, Equatable {
    public enum Location: Sendable, Equatable {
        case pipe(id: String, positionM: Double)
        case line(id: String, chainageM: Double)
    }
    public enum Size: Sendable, Equatable {
        case fractionOfFlow(Double)
        case effectiveAreaM2(Double)
    }
    public var location: Location?
    public var size: Size?
    /// nil: now.
    public var startSimTimeS: Double?
    public var rampS: Double = 0
    /// 0: the default (0.62).
    public var dischargeCoefficient: Double = 0

    public init(
        location: Location? = nil, size: Size? = nil, startSimTimeS: Double? = nil,
        rampS: Double = 0, dischargeCoefficient: Double = 0
    ) {
        self.location = location
        self.size = size
        self.startSimTimeS = startSimTimeS
        self.rampS = rampS
        self.dischargeCoefficient = dischargeCoefficient
    }
}

public struct InjectLeakResponse: Sendable, Equatable {
    public var leak: Leak
    /// What will not see the leak as it should (e.g. a detector still learning).
    public var warnings: [String]
    public init(leak: Leak, warnings: [String] = []) {
        self.leak = leak
        self.warnings = warnings
    }
}

public struct ClearLeakRequest: Sendable, Equatable {
    public var leakID: String
    public init(leakID: String) { self.leakID = leakID }
}

public struct ClearLeakResponse: Sendable, Equatable {
    public var leak: Leak
    public init(leak: Leak) { self.leak = leak }
}

public struct ListLeaksRequest: Sendable, Equatable {
    public var includeCleared: Bool
    public init(includeCleared: Bool = false) { self.includeCleared = includeCleared }
}

public struct ListLeaksResponse: Sendable, Equatable {
    public var leaks: [Leak]
    public init(leaks: [Leak]) { self.leaks = leaks }
}

public struct GetClockRequest: Sendable, Equatable {
    public init() {}
}

public struct SetClockRequest: Sendable, Equatable {
    /// Simulated seconds per wall second; 0 keeps the current speed.
    public var speed: Double
    public var paused: Bool
    public var freeRunning: Bool
    public init(speed: Double = 0, paused: Bool = false, freeRunning: Bool = false) {
        self.speed = speed
        self.paused = paused
        self.freeRunning = freeRunning
    }
}

public struct Clock: Sendable, Equatable {
    public var simTimeS: Double
    public var speed: Double
    public var paused: Bool
    public var freeRunning: Bool
    public var tick: UInt64
    public var timeStepS: Double
    public init(simTimeS: Double, speed: Double, paused: Bool, freeRunning: Bool, tick: UInt64, timeStepS: Double) {
        self.simTimeS = simTimeS
        self.speed = speed
        self.paused = paused
        self.freeRunning = freeRunning
        self.tick = tick
        self.timeStepS = timeStepS
    }
}

public enum SensorFault: UInt32, Sendable {
    case none = 0
    case dropout = 1
    case freeze = 2
}

public struct SetSensorFaultRequest: Sendable, Equatable {
    public var sensorID: String
    public var fault: SensorFault
    public init(sensorID: String, fault: SensorFault) {
        self.sensorID = sensorID
        self.fault = fault
    }
}

public struct SetSensorFaultResponse: Sendable, Equatable {
    public init() {}
}

/// What a detector sees and says. Shared by the plugin host, the detectors, the alert engine and
/// the evaluation harness. These Swift types never cross the dlopen boundary: the plugin ABI
/// (CFluxionDetectorABI) carries C types and bytes, and each side converts.

/// One sensor of the network, as a detector sees it.
public struct SensorDescription: Sendable, Equatable, Codable {
    public var id: String
    /// pressure, flow, temperature, density, differential_pressure, totalized_flow, head.
    public var quantity: String
    public var unit: String
    public var pipeID: String?
    /// Position along `pipeID`, m from its start.
    public var positionM: Double?
    public var nodeID: String?
    public var stationID: String?
    public var sampleRateHz: Double

    public init(
        id: String, quantity: String, unit: String, pipeID: String? = nil, positionM: Double? = nil,
        nodeID: String? = nil, stationID: String? = nil, sampleRateHz: Double
    ) {
        self.id = id
        self.quantity = quantity
        self.unit = unit
        self.pipeID = pipeID
        self.positionM = positionM
        self.nodeID = nodeID
        self.stationID = stationID
        self.sampleRateHz = sampleRateHz
    }
}

public struct PipeDescription: Sendable, Equatable, Codable {
    public var id: String
    public var fromNode: String
    public var toNode: String
    public var lengthM: Double
    public var diameterM: Double
    public var waveSpeedMPerS: Double
    public var lineID: String?
    /// Chainage of the pipe's start along its line, m.
    public var chainageStartM: Double
    /// Liquid m³/s, gas Sm³/h.
    public var nominalFlow: Double

    public init(
        id: String, fromNode: String, toNode: String, lengthM: Double, diameterM: Double,
        waveSpeedMPerS: Double, lineID: String? = nil, chainageStartM: Double = 0, nominalFlow: Double = 0
    ) {
        self.id = id
        self.fromNode = fromNode
        self.toNode = toNode
        self.lengthM = lengthM
        self.diameterM = diameterM
        self.waveSpeedMPerS = waveSpeedMPerS
        self.lineID = lineID
        self.chainageStartM = chainageStartM
        self.nominalFlow = nominalFlow
    }
}

public struct StationDescription: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var nodeID: String
    public init(id: String, name: String, nodeID: String) {
        self.id = id
        self.name = name
        self.nodeID = nodeID
    }
}

/// The network a detector watches (handed over once, at start).
public struct NetworkDescription: Sendable, Equatable, Codable {
    public var scenario: String
    public var isGas: Bool
    public var timeStepS: Double
    public var sensors: [SensorDescription]
    public var pipes: [PipeDescription]
    public var stations: [StationDescription]
    /// Lines: ordered pipe ids.
    public var lines: [String: [String]]
    /// Nodes held at a fixed pressure (supply sources, reservoirs); nil: not told.
    public var pressureNodes: [String]?

    public init(
        scenario: String, isGas: Bool, timeStepS: Double, sensors: [SensorDescription],
        pipes: [PipeDescription], stations: [StationDescription], lines: [String: [String]],
        pressureNodes: [String]? = nil
    ) {
        self.scenario = scenario
        self.isGas = isGas
        self.timeStepS = timeStepS
        self.sensors = sensors
        self.pipes = pipes
        self.stations = stations
        self.lines = lines
        self.pressureNodes = pressureNodes
    }
}

/// One sample: the index of its sensor in `NetworkDescription.sensors`, its value and validity.
public struct SensorSample: Sendable, Equatable {
    public var sensorIndex: Int
    public var value: Double
    public var valid: Bool
    public init(sensorIndex: Int, value: Double, valid: Bool = true) {
        self.sensorIndex = sensorIndex
        self.value = value
        self.valid = valid
    }
}

/// Every sample taken at one simulated instant.
public struct DetectorTick: Sendable, Equatable {
    public var simTimeS: Double
    public var samples: [SensorSample]
    public init(simTimeS: Double, samples: [SensorSample]) {
        self.simTimeS = simTimeS
        self.samples = samples
    }
}

/// A detector's answer at a moment: how likely a leak is, where and how big.
public struct DetectorEstimate: Sendable, Equatable {
    /// 0…1.
    public var probability: Double
    public var pipeID: String?
    /// m from the start of `pipeID`.
    public var positionM: Double?
    /// Leak outflow as a fraction of nominal flow.
    public var sizeFraction: Double?

    public init(probability: Double, pipeID: String? = nil, positionM: Double? = nil, sizeFraction: Double? = nil) {
        self.probability = probability
        self.pipeID = pipeID
        self.positionM = positionM
        self.sizeFraction = sizeFraction
    }
}

/// A detector's estimate stamped with who and when: what the alert engine consumes.
public struct AlertSignal: Sendable, Equatable {
    public var detector: String
    public var simTimeS: Double
    public var wallTimeUnixNs: Int64
    public var estimate: DetectorEstimate

    public init(detector: String, simTimeS: Double, wallTimeUnixNs: Int64, estimate: DetectorEstimate) {
        self.detector = detector
        self.simTimeS = simTimeS
        self.wallTimeUnixNs = wallTimeUnixNs
        self.estimate = estimate
    }
}

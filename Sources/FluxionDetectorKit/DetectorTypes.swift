/// What a detector sees and says. Shared by the plugin host, the detectors, the alert engine and
/// the evaluation harness. These Swift types never cross the dlopen boundary: the plugin ABI
/// (CFluxionDetectorABI) carries C types and bytes, and each side converts. The JSON form of
/// `NetworkDescription` and its parts is in NetworkDescription+JSON.swift (docs/PLUGINS.md).

/// One sensor of the network, as a detector sees it. A sensor sits either on a pipe (`pipeID`
/// and `positionM`) or at a node (`nodeID`).
public struct SensorDescription: Sendable, Equatable {
    /// The sensor's id in the scenario, e.g. "PT-1"; unique in the network.
    public var id: String
    /// What it measures: pressure, flow, temperature, density, differential_pressure,
    /// totalized_flow, head.
    public var quantity: String
    /// Unit of its readings: "Pa" (pressure, differential_pressure; gauge for liquids, absolute
    /// for gas), "m3/s" or "Sm3/h" (flow: liquid, gas), "degC", "kg/m3", "m3" or "Sm3"
    /// (totalized_flow), "m" (head).
    public var unit: String
    /// The pipe the sensor is on; nil for a sensor at a node.
    public var pipeID: String?
    /// Position along `pipeID`, m from its start (0…the pipe's `lengthM`); nil at a node.
    public var positionM: Double?
    /// The node the sensor is at; nil for a sensor on a pipe.
    public var nodeID: String?
    /// The station the sensor belongs to, when the scenario says.
    public var stationID: String?
    /// Samples per simulated second, Hz (> 0).
    public var sampleRateHz: Double

    /// A sensor description; see the properties for units.
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

/// One pipe of the network: its ends, geometry, wave speed and place on its line.
public struct PipeDescription: Sendable, Equatable {
    /// The pipe's id in the scenario; unique in the network.
    public var id: String
    /// The node at the pipe's start (position 0).
    public var fromNode: String
    /// The node at the pipe's end (position `lengthM`).
    public var toNode: String
    /// Length, m (> 0).
    public var lengthM: Double
    /// Inner diameter, m (> 0).
    public var diameterM: Double
    /// Pressure wave speed in the pipe, m/s (> 0).
    public var waveSpeedMPerS: Double
    /// The line the pipe belongs to (a key of `NetworkDescription.lines`); nil: none.
    public var lineID: String?
    /// Chainage of the pipe's start along its line, m.
    public var chainageStartM: Double
    /// Nominal flow through the pipe: liquid m³/s, gas Sm³/h; 0 when not known. The unit of
    /// `DetectorEstimate.sizeFraction`'s denominator.
    public var nominalFlow: Double

    /// A pipe description; see the properties for units.
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

/// A station of the network (e.g. Mardakan): a named place at a node.
public struct StationDescription: Sendable, Equatable {
    /// The station's id in the scenario.
    public var id: String
    /// The name shown to operators.
    public var name: String
    /// The node the station sits at.
    public var nodeID: String

    /// A station description.
    public init(id: String, name: String, nodeID: String) {
        self.id = id
        self.name = name
        self.nodeID = nodeID
    }
}

/// The network a detector watches (handed over once, at start; as JSON in the schema of
/// docs/PLUGINS.md across the plugin boundary).
public struct NetworkDescription: Sendable, Equatable {
    /// The scenario's name.
    public var scenario: String
    /// true: natural gas (pressures absolute, flows Sm³/h); false: liquid (pressures gauge, flows m³/s).
    public var isGas: Bool
    /// The twin's time step, s (> 0).
    public var timeStepS: Double
    /// Every sensor, in order: `SensorSample.sensorIndex` is an index into this array.
    public var sensors: [SensorDescription]
    /// Every pipe, in order: the plugin ABI's `pipe_index` is an index into this array.
    public var pipes: [PipeDescription]
    /// The stations (may be empty).
    public var stations: [StationDescription]
    /// Lines by id: each the ids of its pipes, in order along the line.
    public var lines: [String: [String]]
    /// Nodes held at a fixed pressure (supply sources, reservoirs); nil: not told.
    public var pressureNodes: [String]?

    /// A network description; see the properties for units.
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
    /// Index of the sensor in `NetworkDescription.sensors`.
    public var sensorIndex: Int
    /// The reading in the sensor's `unit`; NaN when not valid.
    public var value: Double
    /// false: the sensor has dropped out and `value` means nothing.
    public var valid: Bool

    /// A sample of sensor `sensorIndex`.
    public init(sensorIndex: Int, value: Double, valid: Bool = true) {
        self.sensorIndex = sensorIndex
        self.value = value
        self.valid = valid
    }
}

/// Every sample taken at one simulated instant.
public struct DetectorTick: Sendable, Equatable {
    /// Simulated time of the samples, s since the scenario's start.
    public var simTimeS: Double
    /// The samples of the sensors whose sample time has come (at most one per sensor; not
    /// necessarily every sensor, as sample rates differ).
    public var samples: [SensorSample]

    /// A tick at `simTimeS` s.
    public init(simTimeS: Double, samples: [SensorSample]) {
        self.simTimeS = simTimeS
        self.samples = samples
    }
}

/// A detector's answer at a moment: how likely a leak is, where and how big.
public struct DetectorEstimate: Sendable, Equatable {
    /// Leak probability, 0…1 (finite; the host marks a detector failed otherwise).
    public var probability: Double
    /// The pipe the leak is estimated on (an id of `NetworkDescription.pipes`); nil: unknown.
    public var pipeID: String?
    /// Estimated leak position, m from the start of `pipeID`; nil: unknown.
    public var positionM: Double?
    /// Leak outflow as a fraction of the pipe's nominal flow (0.05 = 5 %); nil: unknown.
    public var sizeFraction: Double?

    /// An estimate; only `probability` is required.
    public init(probability: Double, pipeID: String? = nil, positionM: Double? = nil, sizeFraction: Double? = nil) {
        self.probability = probability
        self.pipeID = pipeID
        self.positionM = positionM
        self.sizeFraction = sizeFraction
    }
}

/// A detector's estimate stamped with who and when: what the alert engine consumes.
public struct AlertSignal: Sendable, Equatable {
    /// The name of the detector instance that gave the estimate.
    public var detector: String
    /// Simulated time of the tick the estimate answers, s.
    public var simTimeS: Double
    /// Wall-clock time the estimate was taken, ns since the Unix epoch.
    public var wallTimeUnixNs: Int64
    /// The detector's estimate.
    public var estimate: DetectorEstimate

    /// A signal from `detector` at `simTimeS` s (simulated) and `wallTimeUnixNs` (Unix ns).
    public init(detector: String, simTimeS: Double, wallTimeUnixNs: Int64, estimate: DetectorEstimate) {
        self.detector = detector
        self.simTimeS = simTimeS
        self.wallTimeUnixNs = wallTimeUnixNs
        self.estimate = estimate
    }
}

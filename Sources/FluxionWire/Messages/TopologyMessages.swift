/// The twin's topology as clients see it (twin.proto `Topology`).

public struct Point: Sendable, Equatable {
    public var xM: Double
    public var yM: Double
    public init(xM: Double, yM: Double) {
        self.xM = xM
        self.yM = yM
    }
}

public struct TopologyNode: Sendable, Equatable {
    public var id: String
    public var kind: String
    public var location: Point
    public var elevationM: Double
    public var stationID: String
    public init(id: String, kind: String, location: Point, elevationM: Double, stationID: String = "") {
        self.id = id
        self.kind = kind
        self.location = location
        self.elevationM = elevationM
        self.stationID = stationID
    }
}

public struct TopologyPipe: Sendable, Equatable {
    public var id: String
    public var fromNode: String
    public var toNode: String
    public var lengthM: Double
    public var diameterM: Double
    public var waveSpeedMPerS: Double
    public var lineID: String
    public var chainageStartM: Double
    public var geometry: [Point]
    public var nominalFlow: Double
    public init(
        id: String, fromNode: String, toNode: String, lengthM: Double, diameterM: Double,
        waveSpeedMPerS: Double, lineID: String = "", chainageStartM: Double = 0,
        geometry: [Point] = [], nominalFlow: Double = 0
    ) {
        self.id = id
        self.fromNode = fromNode
        self.toNode = toNode
        self.lengthM = lengthM
        self.diameterM = diameterM
        self.waveSpeedMPerS = waveSpeedMPerS
        self.lineID = lineID
        self.chainageStartM = chainageStartM
        self.geometry = geometry
        self.nominalFlow = nominalFlow
    }
}

public struct TopologyStation: Sendable, Equatable {
    public var id: String
    public var name: String
    public var nodeID: String
    public var location: Point
    public init(id: String, name: String, nodeID: String, location: Point) {
        self.id = id
        self.name = name
        self.nodeID = nodeID
        self.location = location
    }
}

public struct TopologySensor: Sendable, Equatable {
    public var id: String
    public var quantity: Quantity
    public var unit: String
    public var pipeID: String
    public var positionM: Double
    public var nodeID: String
    public var stationID: String
    public var sampleRateHz: Double
    public init(
        id: String, quantity: Quantity, unit: String, pipeID: String = "", positionM: Double = 0,
        nodeID: String = "", stationID: String = "", sampleRateHz: Double
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

public struct TopologyLine: Sendable, Equatable {
    public var id: String
    public var pipeIDs: [String]
    public var lengthM: Double
    public init(id: String, pipeIDs: [String], lengthM: Double) {
        self.id = id
        self.pipeIDs = pipeIDs
        self.lengthM = lengthM
    }
}

public struct GetTopologyRequest: Sendable, Equatable {
    public init() {}
}

public struct Topology: Sendable, Equatable {
    public var scenario: String
    public var fluid: String
    public var nodes: [TopologyNode]
    public var pipes: [TopologyPipe]
    public var stations: [TopologyStation]
    public var sensors: [TopologySensor]
    public var lines: [TopologyLine]
    public init(
        scenario: String, fluid: String, nodes: [TopologyNode], pipes: [TopologyPipe],
        stations: [TopologyStation], sensors: [TopologySensor], lines: [TopologyLine]
    ) {
        self.scenario = scenario
        self.fluid = fluid
        self.nodes = nodes
        self.pipes = pipes
        self.stations = stations
        self.sensors = sensors
        self.lines = lines
    }
}

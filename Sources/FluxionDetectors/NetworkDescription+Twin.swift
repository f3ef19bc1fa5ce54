import FluxionDetectorKit
import FluxionTwin

extension NetworkDescription {
    /// What detectors are told about a simulation's network (sensor order = the scenario's,
    /// so a reading's sensor index is its position in `scenario.sensors`).
    public init(_ simulation: Simulation) {
        let topology = simulation.topology
        self.init(
            scenario: simulation.scenario.name, isGas: topology.isGas, timeStepS: simulation.timeStepS,
            sensors: topology.sensors.map {
                SensorDescription(
                    id: $0.id, quantity: $0.quantity.name, unit: $0.unit, pipeID: $0.pipeId,
                    positionM: $0.positionM, nodeID: $0.nodeId, stationID: $0.stationId,
                    sampleRateHz: $0.sampleRateHz)
            },
            pipes: topology.pipes.map {
                PipeDescription(
                    id: $0.id, fromNode: $0.fromNode, toNode: $0.toNode, lengthM: $0.lengthM,
                    diameterM: $0.diameterM, waveSpeedMPerS: $0.waveSpeedMS, lineID: $0.lineId,
                    chainageStartM: $0.chainageStartM, nominalFlow: $0.nominalFlow)
            },
            stations: topology.stations.map { StationDescription(id: $0.id, name: $0.name, nodeID: $0.nodeId) },
            lines: Dictionary(topology.lines.map { ($0.id, $0.pipeIds) }, uniquingKeysWith: { a, _ in a }),
            pressureNodes: topology.nodes.filter { $0.kind == "source" || $0.kind == "reservoir" }.map(\.id))
    }
}

/// Turns a simulation's readings into detector ticks (sensor ids → indices, once).
public struct TickBuilder: Sendable {
    private let index: [String: Int]
    private let ids: [String]

    public init(_ network: NetworkDescription) {
        var index: [String: Int] = [:]
        for (i, s) in network.sensors.enumerated() { index[s.id] = i }
        self.index = index
        ids = network.sensors.map(\.id)
    }

    /// The tick of readings taken at `simTimeS` (readings of unknown sensors are left out).
    public func tick(simTimeS: Double, readings: [Reading]) -> DetectorTick {
        var samples: [SensorSample] = []
        samples.reserveCapacity(readings.count)
        for r in readings {
            // The twin stamps each reading with its sensor's index in the scenario: use it when it
            // names the same sensor here (no hashing), else look the id up.
            let i =
                r.sensorIndex >= 0 && r.sensorIndex < ids.count && ids[r.sensorIndex] == r.sensorId
                ? r.sensorIndex : index[r.sensorId]
            if let i { samples.append(SensorSample(sensorIndex: i, value: r.value, valid: r.valid)) }
        }
        return DetectorTick(simTimeS: simTimeS, samples: samples)
    }
}

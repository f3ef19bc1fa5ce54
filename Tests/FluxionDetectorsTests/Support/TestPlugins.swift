import CFluxionDetectorABI
import FluxionDetectorKit
import FluxionDetectors
import FluxionScenario
import FluxionTestSupport
import FluxionTwin
import Foundation

/// The real plugin builds: the product's plugins and the broken test plugins of
/// Tests/PluginFixtures, copied into a directory of their own (`PluginFixtures`).
enum TestPlugins {
    static let directory = PluginFixtures.directory

    /// A two-pipe liquid line with inflow and outflow meters and two pressure sensors.
    static let smallNetwork = NetworkDescription(
        scenario: "test-line", isGas: false, timeStepS: 0.1,
        sensors: [
            SensorDescription(
                id: "FT-in", quantity: "flow", unit: "m3/s", pipeID: "P1", positionM: 0, sampleRateHz: 10),
            SensorDescription(id: "FT-out", quantity: "flow", unit: "m3/s", nodeID: "B", sampleRateHz: 10),
            SensorDescription(
                id: "PT-1", quantity: "pressure", unit: "Pa", pipeID: "P1", positionM: 100, sampleRateHz: 10),
            SensorDescription(
                id: "PT-2", quantity: "pressure", unit: "Pa", pipeID: "P2", positionM: 900, sampleRateHz: 10),
        ],
        pipes: [
            PipeDescription(
                id: "P1", fromNode: "A", toNode: "J", lengthM: 1000, diameterM: 0.3, waveSpeedMPerS: 1000,
                lineID: "L", chainageStartM: 0, nominalFlow: 0.1),
            PipeDescription(
                id: "P2", fromNode: "J", toNode: "B", lengthM: 1000, diameterM: 0.3, waveSpeedMPerS: 1000,
                lineID: "L", chainageStartM: 1000, nominalFlow: 0.1),
        ],
        stations: [], lines: ["L": ["P1", "P2"]])

    /// A steady tick of `smallNetwork` at `t` s.
    static func steadyTick(_ t: Double) -> DetectorTick {
        DetectorTick(
            simTimeS: t,
            samples: [
                SensorSample(sensorIndex: 0, value: 0.1), SensorSample(sensorIndex: 1, value: 0.1),
                SensorSample(sensorIndex: 2, value: 5e5), SensorSample(sensorIndex: 3, value: 4e5),
            ])
    }

    static func host(_ network: NetworkDescription = smallNetwork) -> DetectorHost {
        DetectorHost(pluginDirectory: directory, network: network)
    }
}

func fluxion_estimate_for_test(probability: Double, pipe: Int32 = -1, position: Double = .nan) -> fluxion_estimate {
    fluxion_estimate(probability: probability, pipe_index: pipe, reserved: 0, position_m: position, size_fraction: .nan)
}

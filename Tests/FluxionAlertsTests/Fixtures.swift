import FluxionAlerts
import FluxionDetectorKit
import Foundation

/// A small network: line L of two pipes A —P1(10 km)— J —P2(6 km)— B, a spur J —P3(4 km)— C.
/// Stations at A ("STA") and B ("STB"); J and C have none.
enum Fixtures {
    static let network = NetworkDescription(
        scenario: "test", isGas: true, timeStepS: 0.5, sensors: [],
        pipes: [
            PipeDescription(
                id: "P1", fromNode: "A", toNode: "J", lengthM: 10_000, diameterM: 0.5, waveSpeedMPerS: 400,
                lineID: "L", chainageStartM: 0),
            PipeDescription(
                id: "P2", fromNode: "J", toNode: "B", lengthM: 6_000, diameterM: 0.5, waveSpeedMPerS: 400,
                lineID: "L", chainageStartM: 10_000),
            PipeDescription(id: "P3", fromNode: "J", toNode: "C", lengthM: 4_000, diameterM: 0.3, waveSpeedMPerS: 400),
        ],
        stations: [
            StationDescription(id: "STA", name: "Alpha", nodeID: "A"),
            StationDescription(id: "STB", name: "Beta", nodeID: "B"),
        ],
        lines: ["L": ["P1", "P2"]])

    static func signal(
        _ t: Double, _ p: Double, detector: String = "threshold", pipe: String? = "P1",
        x: Double? = 2_000, size: Double? = nil
    ) -> AlertSignal {
        AlertSignal(
            detector: detector, simTimeS: t, wallTimeUnixNs: 1_700_000_000_000_000_000 + Int64(t * 1e9),
            estimate: DetectorEstimate(probability: p, pipeID: pipe, positionM: x, sizeFraction: size))
    }

    /// An engine whose ids count up from 1.
    static func engine(_ configure: (inout AlertEngine.Configuration) -> Void = { _ in }) -> AlertEngine {
        var config = AlertEngine.Configuration()
        configure(&config)
        nonisolated(unsafe) var n = 0
        return AlertEngine(configuration: config, locator: NetworkLocator(network)) {
            n += 1
            return "T-\(n)"
        }
    }

    /// A fresh directory under the temporary directory, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fluxion-alerts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

// The minimal plugin of docs/PLUGINS.md, built as a real product and loaded by a test.
import FluxionDetectorKit

/// Alarms when the first pressure sensor falls 10 % below its first reading.
struct PressureDropDetector: Detector {
    static let name = "pressure-drop"
    static let version = "1.0.0"
    static let summary = "Alarm on a 10 % pressure drop at the first pressure sensor"

    private let sensor: Int
    private var reference: Double?

    init(network: NetworkDescription, configJSON: [UInt8]) throws {
        guard let i = network.sensors.firstIndex(where: { $0.quantity == "pressure" }) else {
            throw DetectorConfigError("the network has no pressure sensor")
        }
        sensor = i
    }

    mutating func observe(_ tick: DetectorTick) throws -> DetectorEstimate {
        guard let s = tick.samples.first(where: { $0.sensorIndex == sensor && $0.valid }) else {
            return DetectorEstimate(probability: 0)
        }
        let ref = reference ?? s.value
        reference = ref
        return DetectorEstimate(probability: s.value < 0.9 * ref ? 1 : 0)
    }
}

@_cdecl("fluxion_detector_entry")
public func fluxionDetectorEntry() -> UnsafeRawPointer { DetectorExport.table(for: PressureDropDetector.self) }

import FluxionDetectorKit

/// A test plugin whose `create` always fails with a known text.
struct InitFailsDetector: Detector {
    static let name = "init-fails"
    static let version = "0.0.1"
    static let summary = "Test plugin: create always fails"
    init(network: NetworkDescription, configJSON: [UInt8]) throws {
        throw DetectorConfigError("init-fails refuses every configuration (network \(network.scenario))")
    }
    mutating func observe(_ tick: DetectorTick) throws -> DetectorEstimate { DetectorEstimate(probability: 0) }
}

@_cdecl("fluxion_detector_entry")
public func fluxionDetectorEntry() -> UnsafeRawPointer { DetectorExport.table(for: InitFailsDetector.self) }

import FluxionDetectorKit

/// A test plugin that answers sensibly for `goodTicks` ticks (config `{"good_ticks": N}`,
/// default 3), then returns a NaN probability.
struct NaNDetector: Detector {
    static let name = "nan"
    static let version = "0.0.1"
    static let summary = "Test plugin: returns NaN after a few ticks"
    private var goodTicks = 3
    private var seen = 0

    init(network: NetworkDescription, configJSON: [UInt8]) throws {
        if let text = String(bytes: configJSON, encoding: .utf8),
            let range = text.range(of: #"\d+"#, options: .regularExpression)
        {
            goodTicks = Int(text[range]) ?? 3
        }
    }

    mutating func observe(_ tick: DetectorTick) throws -> DetectorEstimate {
        seen += 1
        return DetectorEstimate(probability: seen > goodTicks ? .nan : 0.1)
    }
}

@_cdecl("fluxion_detector_entry")
public func fluxionDetectorEntry() -> UnsafeRawPointer { DetectorExport.table(for: NaNDetector.self) }

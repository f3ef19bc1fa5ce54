import CFluxionDetectorABI
import FluxionDetectorKit

/// A test plugin built for a future ABI version (999): the host must refuse it before reading
/// anything but the version.
struct BadABIDetector: Detector {
    static let name = "bad-abi"
    static let version = "0.0.1"
    static let summary = "Test plugin: claims ABI version 999"
    init(network: NetworkDescription, configJSON: [UInt8]) throws {}
    mutating func observe(_ tick: DetectorTick) throws -> DetectorEstimate { DetectorEstimate(probability: 0) }
}

/// A copy of the real table with the version changed (never freed: plugins stay mapped).
nonisolated(unsafe) private let badTable: UnsafeRawPointer = {
    let table = UnsafeMutablePointer<fluxion_detector_api>.allocate(capacity: 1)
    table.initialize(to: DetectorExport.table(for: BadABIDetector.self).load(as: fluxion_detector_api.self))
    table.pointee.abi_version = 999
    return UnsafeRawPointer(table)
}()

@_cdecl("fluxion_detector_entry")
public func fluxionDetectorEntry() -> UnsafeRawPointer { badTable }

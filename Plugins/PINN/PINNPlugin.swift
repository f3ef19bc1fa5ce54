import FluxionDetectorKit
import FluxionPINN

/// The `pinn` detector plugin: PINNLeakDetector (Sources/FluxionPINN) behind the C entry point
/// of fluxion_detector.h.
@_cdecl("fluxion_detector_entry")
public func fluxionDetectorEntry() -> UnsafeRawPointer {
    DetectorExport.table(for: PINNLeakDetector.self)
}

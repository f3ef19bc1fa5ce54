import FluxionDetectorKit
import FluxionLOFDetector

/// The `lof` detector plugin: LOFLeakDetector (Sources/FluxionLOFDetector) behind the C entry
/// point of fluxion_detector.h.
@_cdecl("fluxion_detector_entry")
public func fluxionDetectorEntry() -> UnsafeRawPointer {
    DetectorExport.table(for: LOFLeakDetector.self)
}

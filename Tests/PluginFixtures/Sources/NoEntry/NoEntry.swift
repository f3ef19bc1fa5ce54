/// A test plugin: a real shared library that does not export `fluxion_detector_entry`.
@_cdecl("fluxion_not_a_detector")
public func fluxionNotADetector() -> Int32 { 42 }

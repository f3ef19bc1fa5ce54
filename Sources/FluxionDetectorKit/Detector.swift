/// What a detector author implements. A plugin is one Swift file with a type conforming to
/// `Detector` and a one-line C export (docs/PLUGINS.md):
///
///     @_cdecl("fluxion_detector_entry")
///     public func fluxionDetectorEntry() -> UnsafeRawPointer { DetectorExport.table(for: MyDetector.self) }
///
/// The host calls one instance from one thread at a time (not necessarily the same thread), so
/// a detector needs no locks. It sees every tick of every sensor, in order.
public protocol Detector {
    /// Short name, e.g. "threshold" (ASCII, no spaces).
    static var name: String { get }
    /// Version of the detector, e.g. "1.0.0".
    static var version: String { get }
    /// One line saying what it does.
    static var summary: String { get }

    /// Creates a detector for `network`.
    /// - Parameter configJSON: the detector's configuration as UTF-8 JSON; empty: the defaults.
    /// - Throws: anything; its description becomes the load error the operator sees.
    init(network: NetworkDescription, configJSON: [UInt8]) throws

    /// Observes one tick and returns the current estimate. Probability must be finite and in
    /// 0…1 (the host marks the detector failed otherwise); position and size may be nil.
    /// - Throws: anything; the host marks the detector failed with its description.
    mutating func observe(_ tick: DetectorTick) throws -> DetectorEstimate

    /// Forgets what was learned (optional; the default does nothing).
    mutating func reset()

    /// Simulated seconds of normal operation still needed before the detector can detect; 0
    /// when ready, nil when it cannot tell (the default). fluxiond warms detectors up with it.
    var learningRemainingS: Double? { get }
}

extension Detector {
    /// Does nothing: a detector with nothing learned to forget need not implement `reset`.
    public mutating func reset() {}
    /// nil: the detector cannot tell how much learning it still needs.
    public var learningRemainingS: Double? { nil }
}

/// A configuration error a detector can throw from `init` (a clear text for the operator).
public struct DetectorConfigError: Error, CustomStringConvertible, Sendable {
    /// What is wrong, for the operator (it becomes the load error of `LoadDetector`).
    public var message: String
    /// An error saying `message`.
    public init(_ message: String) { self.message = message }
    /// `message`.
    public var description: String { message }
}

/// The lifecycle state of a detector instance (mirrors detectors.proto's DetectorState).
public enum DetectorState: String, Sendable, Equatable {
    /// A plugin file in the plugin directory, not loaded.
    case available
    case loaded
    case active
    case failed
}

/// What the host reports about a plugin file or a detector instance.
public struct DetectorStatus: Sendable, Equatable {
    /// Instance name (for `available`: the plugin name).
    public var name: String
    public var plugin: String
    public var version: String
    public var summary: String
    public var state: DetectorState
    public var abiVersion: UInt32
    public var lastError: String
    /// The latest estimate's probability, 0…1.
    public var leakProbability: Double
    /// Samples observed so far.
    public var samplesSeen: UInt64
    /// Ticks observed so far.
    public var ticksSeen: UInt64
    /// Simulated seconds of normal operation the detector still needs before it can detect; 0
    /// ready; -1 unknown (the plugin cannot tell, or it is not an instance).
    public var learningRemainingS: Double = -1
}

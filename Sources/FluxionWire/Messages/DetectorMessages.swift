/// Messages of the detector RPCs (detectors.proto): list, load, activate, deactivate, swap.

/// A plugin file or a detector instance, as the server reports it.
public struct DetectorInfo: Sendable, Equatable {
    public enum State: UInt32, Sendable {
        case unspecified = 0
        /// A plugin file in the plugin directory, not loaded.
        case available = 1
        case loaded = 2
        case active = 3
        case failed = 4

        public var name: String {
            switch self {
            case .unspecified: "unspecified"
            case .available: "available"
            case .loaded: "loaded"
            case .active: "active"
            case .failed: "failed"
            }
        }
    }

    public var name: String
    public var plugin: String
    public var version: String
    public var description: String
    public var state: State
    public var abiVersion: UInt32
    public var lastError: String
    /// Latest estimate's leak probability, 0…1.
    public var leakProbability: Double
    public var samplesSeen: UInt64
    /// Simulated seconds of learning left; 0 ready; -1 unknown.
    public var learningRemainingS: Double

    public init(
        name: String, plugin: String, version: String = "", description: String = "", state: State,
        abiVersion: UInt32 = 0, lastError: String = "", leakProbability: Double = 0, samplesSeen: UInt64 = 0,
        learningRemainingS: Double = -1
    ) {
        self.learningRemainingS = learningRemainingS
        self.name = name
        self.plugin = plugin
        self.version = version
        self.description = description
        self.state = state
        self.abiVersion = abiVersion
        self.lastError = lastError
        self.leakProbability = leakProbability
        self.samplesSeen = samplesSeen
    }
}

public struct ListDetectorsRequest: Sendable, Equatable {
    public init() {}
}

public struct ListDetectorsResponse: Sendable, Equatable {
    public var detectors: [DetectorInfo]
    public init(detectors: [DetectorInfo]) { self.detectors = detectors }
}

public struct LoadDetectorRequest: Sendable, Equatable {
    /// A plugin name in the server's plugin directory (never a path).
    public var plugin: String
    /// Instance name; empty: the plugin name.
    public var name: String
    /// Detector configuration as JSON; empty: the detector's defaults.
    public var configJSON: String
    public init(plugin: String, name: String = "", configJSON: String = "") {
        self.plugin = plugin
        self.name = name
        self.configJSON = configJSON
    }
}

public struct ActivateDetectorRequest: Sendable, Equatable {
    public var name: String
    public init(name: String) { self.name = name }
}

public struct DeactivateDetectorRequest: Sendable, Equatable {
    public var name: String
    public init(name: String) { self.name = name }
}

public struct SwapDetectorRequest: Sendable, Equatable {
    public var deactivate: String
    public var activate: String
    public init(deactivate: String, activate: String) {
        self.deactivate = deactivate
        self.activate = activate
    }
}

/// The detectors a load, activate, deactivate or swap changed, after the change.
public struct DetectorResponse: Sendable, Equatable {
    public var detectors: [DetectorInfo]
    public init(detectors: [DetectorInfo]) { self.detectors = detectors }
}

import FluxionWire

/// Why a plugin did not load or a detector stopped, with the context an operator needs. Each
/// case knows its wire status (`rpcError`).
public enum DetectorError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A plugin name that is not a plain name (empty, contains '/', starts with '.').
    case invalidPluginName(String)
    /// No `lib<name>.so` in the plugin directory.
    case missingFile(plugin: String, directory: String)
    /// The file opened (or failed to open) but is not a detector plugin; `reason` is dlerror's text.
    case notAPlugin(plugin: String, reason: String)
    /// The plugin was built against another ABI version.
    case abiMismatch(plugin: String, found: UInt32, expected: UInt32)
    /// The table is smaller than the version's table, or a required entry is NULL.
    case malformedTable(plugin: String, reason: String)
    /// The configuration is not a JSON value.
    case invalidConfig(String)
    /// The plugin's `create` failed; `message` is the plugin's own error text.
    case initFailed(plugin: String, message: String)
    /// No loaded detector instance with this name.
    case unknownInstance(String)
    /// A detector instance with this name is already loaded.
    case duplicateInstance(String)
    /// A detector that failed cannot be activated again (load a new instance).
    case instanceFailed(name: String, reason: String)
    /// A detector returned an estimate the host refuses (NaN, infinity, probability outside 0…1,
    /// unknown pipe) or reported an error from `observe`; it is marked failed.
    case invalidOutput(detector: String, reason: String)
    /// A file named by a client (a plugin, a model) that the operator's rules refuse: a name that
    /// is not plain, a symbolic link leaving its directory, a file too large, no such file.
    case refusedFile(FileRefusal)
    /// The server could not encode its network description for detectors (a non-finite number,
    /// for one): no detector can be created, rather than one given an empty network.
    case networkUnencodable(reason: String)

    public var description: String {
        switch self {
        case .invalidPluginName(let name):
            "plugin name \"\(name)\" is not a plain name (no '/', not empty, not starting with '.')"
        case .missingFile(let plugin, let directory):
            "no plugin \"\(plugin)\": neither lib\(plugin).so nor libFluxion\(plugin.prefix(1).uppercased())\(plugin.dropFirst()).so is in the plugin directory \(directory)"
        case .notAPlugin(let plugin, let reason):
            "\(plugin) is not a detector plugin: \(reason)"
        case .abiMismatch(let plugin, let found, let expected):
            "\(plugin) was built for detector ABI version \(found); this server speaks version \(expected)"
        case .malformedTable(let plugin, let reason):
            "\(plugin) has a malformed entry table: \(reason)"
        case .invalidConfig(let reason):
            "config_json: \(reason)"
        case .initFailed(let plugin, let message):
            "\(plugin) failed to initialize: \(message)"
        case .unknownInstance(let name):
            "no loaded detector named \"\(name)\""
        case .duplicateInstance(let name):
            "a detector named \"\(name)\" is already loaded"
        case .instanceFailed(let name, let reason):
            "detector \"\(name)\" has failed (\(reason)); load a new instance"
        case .invalidOutput(let detector, let reason):
            "detector \"\(detector)\" failed: \(reason)"
        case .refusedFile(let refusal):
            refusal.description
        case .networkUnencodable(let reason):
            "the network description could not be encoded for detectors: \(reason)"
        }
    }

    /// The status a client receives for this error.
    public var status: Wire.StatusCode {
        switch self {
        case .invalidPluginName, .invalidConfig: .invalidArgument
        case .missingFile, .unknownInstance: .notFound
        case .duplicateInstance: .alreadyExists
        case .notAPlugin, .abiMismatch, .malformedTable, .initFailed, .instanceFailed: .failedPrecondition
        case .invalidOutput, .networkUnencodable: .internal
        case .refusedFile(let refusal): refusal.status
        }
    }

    public var rpcError: RPCError { RPCError(status, description) }
}

/// Why a plugin could not read the network description the host handed it (`network_json`).
public enum NetworkDescriptionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The document's `schemaVersion` is one this FluxionDetectorKit does not read: newer than
    /// `supported` (the host is newer than the plugin's kit; rebuild the plugin), or below 1.
    case unsupportedSchemaVersion(found: Int, supported: Int)

    /// The text the operator sees as the plugin's load error.
    public var description: String {
        switch self {
        case .unsupportedSchemaVersion(let found, let supported) where found > supported:
            "network description schema version \(found) is newer than this plugin's FluxionDetectorKit reads "
                + "(up to \(supported)): rebuild the plugin against the server's FluxionDetectorKit"
        case .unsupportedSchemaVersion(let found, let supported):
            "network description schema version \(found) is not valid (versions 1 to \(supported) are)"
        }
    }
}

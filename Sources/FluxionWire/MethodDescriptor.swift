/// One RPC of the service: its name, its wire path and whether it streams.
public struct MethodDescriptor: Sendable, Hashable {
    /// The short name, e.g. `Health`.
    public let name: String
    /// Unary or server-streaming.
    public let kind: Wire.MethodKind
    /// The name on the wire: `fluxion.v1.Fluxion/Health`.
    public let path: String

    /// The method `name` of the service with full name `service`.
    public init(service: String, name: String, kind: Wire.MethodKind) {
        self.name = name
        self.kind = kind
        self.path = "\(service)/\(name)"
    }
}

extension Wire.Fluxion {
    /// The method with wire name `path`, if the service has one.
    public static func method(path: String) -> MethodDescriptor? {
        byPath[path]
    }

    private static let byPath: [String: MethodDescriptor] = Dictionary(
        uniqueKeysWithValues: methods.map { ($0.path, $0) })
}

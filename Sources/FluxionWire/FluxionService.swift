/// How a method answers: once, or with a stream of messages.
public enum MethodKind: Int32, Sendable {
    case unary = 1
    case serverStreaming = 2
}

/// One RPC of the service.
public struct MethodDescriptor: Sendable, Hashable {
    /// The short name, e.g. `Health`.
    public let name: String
    public let kind: MethodKind
    /// The name on the wire: `fluxion.v1.Fluxion/Health`.
    public var path: String { "\(FluxionService.name)/\(name)" }

    public init(_ name: String, _ kind: MethodKind) {
        self.name = name
        self.kind = kind
    }
}

/// The methods of `fluxion.v1.Fluxion` (Protos/fluxion/v1/service.proto), in declaration order.
public enum FluxionService {
    public static let name = "fluxion.v1.Fluxion"

    public static let health = MethodDescriptor("Health", .unary)
    public static let getServerInfo = MethodDescriptor("GetServerInfo", .unary)
    public static let streamReadings = MethodDescriptor("StreamReadings", .serverStreaming)
    public static let injectLeak = MethodDescriptor("InjectLeak", .unary)
    public static let clearLeak = MethodDescriptor("ClearLeak", .unary)
    public static let listLeaks = MethodDescriptor("ListLeaks", .unary)
    public static let getTopology = MethodDescriptor("GetTopology", .unary)
    public static let getClock = MethodDescriptor("GetClock", .unary)
    public static let setClock = MethodDescriptor("SetClock", .unary)
    public static let setSensorFault = MethodDescriptor("SetSensorFault", .unary)
    public static let listDetectors = MethodDescriptor("ListDetectors", .unary)
    public static let loadDetector = MethodDescriptor("LoadDetector", .unary)
    public static let activateDetector = MethodDescriptor("ActivateDetector", .unary)
    public static let deactivateDetector = MethodDescriptor("DeactivateDetector", .unary)
    public static let swapDetector = MethodDescriptor("SwapDetector", .unary)
    public static let queryAlerts = MethodDescriptor("QueryAlerts", .unary)
    public static let aggregateAlerts = MethodDescriptor("AggregateAlerts", .unary)
    public static let streamAlerts = MethodDescriptor("StreamAlerts", .serverStreaming)

    public static let methods: [MethodDescriptor] = [
        health, getServerInfo, streamReadings, injectLeak, clearLeak, listLeaks, getTopology,
        getClock, setClock, setSensorFault, listDetectors, loadDetector, activateDetector,
        deactivateDetector, swapDetector, queryAlerts, aggregateAlerts, streamAlerts,
    ]

    /// The method with wire name `path`, if the service has one.
    public static func method(path: String) -> MethodDescriptor? {
        byPath[path]
    }

    private static let byPath: [String: MethodDescriptor] = Dictionary(
        uniqueKeysWithValues: methods.map { ($0.path, $0) })
}

/// A Sparkplug B topic: `spBv1.0/GROUP/TYPE/EDGE_NODE[/DEVICE]` (and `spBv1.0/STATE/HOST`).
public struct SparkplugTopic: Sendable, Equatable, Hashable {
    /// The message types of the Sparkplug B topic namespace.
    public enum MessageType: String, Sendable, CaseIterable {
        case nbirth = "NBIRTH", ndeath = "NDEATH", dbirth = "DBIRTH", ddeath = "DDEATH"
        case ndata = "NDATA", ddata = "DDATA", ncmd = "NCMD", dcmd = "DCMD", state = "STATE"

        /// Whether the message is a device-level one (DBIRTH, DDEATH, DDATA, DCMD).
        public var isDevice: Bool { self == .dbirth || self == .ddeath || self == .ddata || self == .dcmd }
    }

    /// The namespace element of every Sparkplug B topic.
    public static let namespace = "spBv1.0"

    public var group: String
    public var type: MessageType
    public var edgeNode: String
    /// The device, for DBIRTH/DDEATH/DDATA/DCMD.
    public var device: String?

    public init(group: String, type: MessageType, edgeNode: String, device: String? = nil) {
        self.group = group
        self.type = type
        self.edgeNode = edgeNode
        self.device = device
    }

    /// Parses `topic`; nil when it is not a Sparkplug B node or device topic.
    public init?(parsing topic: String) {
        let parts = topic.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4 || parts.count == 5, parts[0] == Self.namespace,
            let type = MessageType(rawValue: String(parts[2])), type != .state,
            parts.allSatisfy({ !$0.isEmpty })
        else { return nil }
        guard type.isDevice == (parts.count == 5) else { return nil }
        self.init(
            group: String(parts[1]), type: type, edgeNode: String(parts[3]),
            device: parts.count == 5 ? String(parts[4]) : nil)
    }

    /// The topic string.
    public var string: String {
        var s = "\(Self.namespace)/\(group)/\(type.rawValue)/\(edgeNode)"
        if let device { s += "/\(device)" }
        return s
    }

    /// The edge node (and device) this topic is about, as one key: `EDGE` or `EDGE/DEVICE`.
    public var source: String { device.map { "\(edgeNode)/\($0)" } ?? edgeNode }

    /// Whether `name` can be a topic element (no `/`, `+`, `#`, not empty).
    public static func isValidElement(_ name: String) -> Bool {
        !name.isEmpty && !name.contains { $0 == "/" || $0 == "+" || $0 == "#" }
    }
}

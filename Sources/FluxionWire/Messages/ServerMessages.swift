/// Messages of the server's own RPCs (`Health`, `GetServerInfo`) and of the HELLO frame.

/// The server's first frame: what it is and the limits it enforces on this connection.
public struct ServerHello: Sendable, Equatable {
    public var protocolVersion: UInt32
    public var serverName: String
    public var serverVersion: String
    public var maxFrameBytes: UInt32
    public var maxConcurrentCalls: UInt32
    public var idleTimeoutMs: UInt32

    public init(
        protocolVersion: UInt32, serverName: String, serverVersion: String, maxFrameBytes: UInt32,
        maxConcurrentCalls: UInt32, idleTimeoutMs: UInt32
    ) {
        self.protocolVersion = protocolVersion
        self.serverName = serverName
        self.serverVersion = serverVersion
        self.maxFrameBytes = maxFrameBytes
        self.maxConcurrentCalls = maxConcurrentCalls
        self.idleTimeoutMs = idleTimeoutMs
    }
}

public struct HealthRequest: Sendable, Equatable {
    public init() {}
}

public enum ServingStatus: UInt32, Sendable {
    case unspecified = 0
    case serving = 1
    case notServing = 2
}

public struct HealthResponse: Sendable, Equatable {
    public var status: ServingStatus
    public var uptimeS: Double
    public var connections: UInt32
    public var openCalls: UInt32
    public var simTimeS: Double
    public var scenario: String

    public init(
        status: ServingStatus, uptimeS: Double, connections: UInt32, openCalls: UInt32,
        simTimeS: Double = 0, scenario: String = ""
    ) {
        self.status = status
        self.uptimeS = uptimeS
        self.connections = connections
        self.openCalls = openCalls
        self.simTimeS = simTimeS
        self.scenario = scenario
    }
}

public struct GetServerInfoRequest: Sendable, Equatable {
    public init() {}
}

public struct MethodInfo: Sendable, Equatable {
    public var name: String
    public var kind: MethodKind
    public var implemented: Bool
    public init(name: String, kind: MethodKind, implemented: Bool) {
        self.name = name
        self.kind = kind
        self.implemented = implemented
    }
}

public struct ServerInfo: Sendable, Equatable {
    public var serverName: String
    public var serverVersion: String
    public var protocolVersion: UInt32
    public var maxFrameBytes: UInt32
    public var maxConcurrentCalls: UInt32
    public var idleTimeoutMs: UInt32
    public var startedWallUnixNs: Int64
    public var scenario: String
    public var methods: [MethodInfo]

    public init(
        serverName: String, serverVersion: String, protocolVersion: UInt32, maxFrameBytes: UInt32,
        maxConcurrentCalls: UInt32, idleTimeoutMs: UInt32, startedWallUnixNs: Int64,
        scenario: String, methods: [MethodInfo]
    ) {
        self.serverName = serverName
        self.serverVersion = serverVersion
        self.protocolVersion = protocolVersion
        self.maxFrameBytes = maxFrameBytes
        self.maxConcurrentCalls = maxConcurrentCalls
        self.idleTimeoutMs = idleTimeoutMs
        self.startedWallUnixNs = startedWallUnixNs
        self.scenario = scenario
        self.methods = methods
    }
}

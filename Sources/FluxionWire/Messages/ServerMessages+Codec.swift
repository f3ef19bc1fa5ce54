import CFluxionProto

extension ServerHello: WireMessage {
    public static let protoName = "fluxion.v1.ServerHello"

    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__server_hello__unpack,
            free: fluxion__v1__server_hello__free_unpacked
        ) { m in
            ServerHello(
                protocolVersion: m.protocol_version, serverName: ProtobufC.string(m.server_name),
                serverVersion: ProtobufC.string(m.server_version), maxFrameBytes: m.max_frame_bytes,
                maxConcurrentCalls: m.max_concurrent_calls, idleTimeoutMs: m.idle_timeout_ms)
        }
    }

    public func encoded() -> [UInt8] {
        var m = Fluxion__V1__ServerHello()
        fluxion__v1__server_hello__init(&m)
        let strings = CStrings()
        m.protocol_version = protocolVersion
        m.server_name = strings.dup(serverName)
        m.server_version = strings.dup(serverVersion)
        m.max_frame_bytes = maxFrameBytes
        m.max_concurrent_calls = maxConcurrentCalls
        m.idle_timeout_ms = idleTimeoutMs
        return withExtendedLifetime(strings) {
            ProtobufC.pack(
                &m, size: fluxion__v1__server_hello__get_packed_size,
                pack: fluxion__v1__server_hello__pack)
        }
    }
}

extension HealthRequest: WireMessage {
    public static let protoName = "fluxion.v1.HealthRequest"

    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__health_request__unpack,
            free: fluxion__v1__health_request__free_unpacked
        ) { _ in HealthRequest() }
    }

    public func encoded() -> [UInt8] { [] }
}

extension HealthResponse: WireMessage {
    public static let protoName = "fluxion.v1.HealthResponse"

    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__health_response__unpack,
            free: fluxion__v1__health_response__free_unpacked
        ) { m in
            HealthResponse(
                status: ServingStatus(rawValue: UInt32(m.status.rawValue)) ?? .unspecified,
                uptimeS: m.uptime_s, connections: m.connections, openCalls: m.open_calls,
                simTimeS: m.sim_time_s, scenario: ProtobufC.string(m.scenario))
        }
    }

    public func encoded() -> [UInt8] {
        var m = Fluxion__V1__HealthResponse()
        fluxion__v1__health_response__init(&m)
        let strings = CStrings()
        m.status = Fluxion__V1__ServingStatus(rawValue: status.rawValue)
        m.uptime_s = uptimeS
        m.connections = connections
        m.open_calls = openCalls
        m.sim_time_s = simTimeS
        m.scenario = strings.dup(scenario)
        return withExtendedLifetime(strings) {
            ProtobufC.pack(
                &m, size: fluxion__v1__health_response__get_packed_size,
                pack: fluxion__v1__health_response__pack)
        }
    }
}

extension GetServerInfoRequest: WireMessage {
    public static let protoName = "fluxion.v1.GetServerInfoRequest"

    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__get_server_info_request__unpack,
            free: fluxion__v1__get_server_info_request__free_unpacked
        ) { _ in GetServerInfoRequest() }
    }

    public func encoded() -> [UInt8] { [] }
}

extension ServerInfo: WireMessage {
    public static let protoName = "fluxion.v1.ServerInfo"

    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__server_info__unpack,
            free: fluxion__v1__server_info__free_unpacked
        ) { m in
            var methods: [MethodInfo] = []
            for i in 0..<m.n_methods {
                guard let mi = m.methods[i]?.pointee else { continue }
                methods.append(
                    MethodInfo(
                        name: ProtobufC.string(mi.name),
                        kind: MethodKind(rawValue: Int32(mi.kind.rawValue)) ?? .unary,
                        implemented: mi.implemented != 0))
            }
            return ServerInfo(
                serverName: ProtobufC.string(m.server_name),
                serverVersion: ProtobufC.string(m.server_version),
                protocolVersion: m.protocol_version, maxFrameBytes: m.max_frame_bytes,
                maxConcurrentCalls: m.max_concurrent_calls, idleTimeoutMs: m.idle_timeout_ms,
                startedWallUnixNs: m.started_wall_unix_ns, scenario: ProtobufC.string(m.scenario),
                methods: methods)
        }
    }

    public func encoded() -> [UInt8] {
        var m = Fluxion__V1__ServerInfo()
        fluxion__v1__server_info__init(&m)
        let strings = CStrings()
        m.server_name = strings.dup(serverName)
        m.server_version = strings.dup(serverVersion)
        m.protocol_version = protocolVersion
        m.max_frame_bytes = maxFrameBytes
        m.max_concurrent_calls = maxConcurrentCalls
        m.idle_timeout_ms = idleTimeoutMs
        m.started_wall_unix_ns = startedWallUnixNs
        m.scenario = strings.dup(scenario)
        let items = strings.allocate(Fluxion__V1__MethodInfo.self, count: methods.count)
        let pointers = strings.allocate(
            UnsafeMutablePointer<Fluxion__V1__MethodInfo>?.self, count: methods.count)
        for (i, method) in methods.enumerated() {
            fluxion__v1__method_info__init(items + i)
            items[i].name = strings.dup(method.name)
            items[i].kind = Fluxion__V1__MethodKind(rawValue: UInt32(method.kind.rawValue))
            items[i].implemented = method.implemented ? 1 : 0
            pointers[i] = items + i
        }
        m.n_methods = methods.count
        m.methods = pointers
        return withExtendedLifetime(strings) {
            ProtobufC.pack(
                &m, size: fluxion__v1__server_info__get_packed_size,
                pack: fluxion__v1__server_info__pack)
        }
    }
}

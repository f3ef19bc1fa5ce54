import FluxionWire

extension Server {
    /// Health and GetServerInfo: the server's own RPCs.
    func registerServerMethods() {
        router.unary(Wire.Fluxion.health) { [unowned self] (_: Wire.HealthRequest, _) throws(RPCError) in
            let details = healthDetails()
            return Wire.HealthResponse(
                status: isShuttingDown ? .notServing : .serving, uptimeS: uptimeS,
                connections: UInt32(connectionCount), openCalls: UInt32(openCallCount),
                simTimeS: details.simTimeS, scenario: details.scenario)
        }
        router.unary(Wire.Fluxion.getServerInfo) { [unowned self] (_: Wire.GetServerInfoRequest, _) throws(RPCError) in
            Wire.ServerInfo(
                serverName: configuration.serverName, serverVersion: configuration.serverVersion,
                protocolVersion: UInt32(Preface.protocolVersion),
                maxFrameBytes: UInt32(configuration.maxFrameBytes),
                maxConcurrentCalls: UInt32(configuration.maxConcurrentCalls),
                idleTimeoutMs: UInt32(configuration.idleTimeoutMs), startedWallUnixNs: startedWallUnixNs,
                scenario: healthDetails().scenario,
                methods: Wire.Fluxion.methods.map {
                    Wire.MethodInfo(name: $0.path, kind: $0.kind, implemented: router.isImplemented($0))
                },
                fieldCounters: fieldCounters().map { Wire.Counter(name: $0.name, value: $0.value) })
        }
    }
}

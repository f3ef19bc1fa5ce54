import ArgumentParser
import FluxionClient
import FluxionWire

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show fluxiond's version, limits, which methods it implements and its field data counters.")

    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        let conn = try connection.connect()
        defer { conn.close() }
        let info: Wire.ServerInfo = try rpc { () throws(RPCError) in
            try conn.unary(Wire.Fluxion.getServerInfo, Wire.GetServerInfoRequest())
        }
        if connection.json {
            printJSON([
                "server_name": info.serverName, "server_version": info.serverVersion,
                "protocol_version": info.protocolVersion, "max_frame_bytes": info.maxFrameBytes,
                "max_concurrent_calls": info.maxConcurrentCalls, "idle_timeout_ms": info.idleTimeoutMs,
                "started_wall_unix_ns": info.startedWallUnixNs, "scenario": info.scenario,
                "methods": info.methods.map {
                    [
                        "name": $0.name, "kind": $0.kind == .unary ? "unary" : "server_streaming",
                        "implemented": $0.implemented,
                    ] as [String: Any]
                },
                "field_counters": Dictionary(
                    info.fieldCounters.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }),
            ])
            return
        }
        print("\(info.serverName) \(info.serverVersion), protocol \(info.protocolVersion)")
        print(
            "limits: frame \(info.maxFrameBytes) bytes, \(info.maxConcurrentCalls) calls per connection, idle \(info.idleTimeoutMs / 1000) s"
        )
        if !info.scenario.isEmpty { print("scenario: \(info.scenario)") }
        if !info.fieldCounters.isEmpty {
            print("field data: " + info.fieldCounters.map { "\($0.name) \($0.value)" }.joined(separator: ", "))
        }
        print("methods:")
        for m in info.methods {
            let kind = m.kind == .unary ? "unary" : "stream"
            print("  \(m.implemented ? "✓" : "·") \(m.name) (\(kind))\(m.implemented ? "" : " — UNIMPLEMENTED")")
        }
    }
}

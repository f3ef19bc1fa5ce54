import ArgumentParser
import FluxionClient
import FluxionWire

struct HealthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health", abstract: "Ask fluxiond whether it is serving.")

    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        let conn = try connection.connect()
        defer { conn.close() }
        let health: Wire.HealthResponse = try rpc { () throws(RPCError) in
            try conn.unary(Wire.Fluxion.health, Wire.HealthRequest())
        }
        let status = health.status == .serving ? "SERVING" : health.status == .notServing ? "NOT_SERVING" : "UNKNOWN"
        if connection.json {
            printJSON([
                "status": status, "uptime_s": health.uptimeS, "connections": health.connections,
                "open_calls": health.openCalls, "sim_time_s": health.simTimeS, "scenario": health.scenario,
                "server": connection.server,
            ])
        } else {
            var line =
                "\(connection.server): \(status), up \(formatDuration(health.uptimeS)), "
                + "\(health.connections) connection\(health.connections == 1 ? "" : "s"), "
                + "\(health.openCalls) open call\(health.openCalls == 1 ? "" : "s")"
            if !health.scenario.isEmpty {
                line += ", scenario \(health.scenario) at t=\(formatDuration(health.simTimeS))"
            }
            print(line)
        }
        if health.status != .serving { throw ExitCode(2) }
    }
}

/// "42.5 s", "3 min 5 s", "3 h 38 min 15 s" (simulated time from the server; anything not a
/// plain time is shown as a number, never trapped on).
func formatDuration(_ seconds: Double) -> String {
    guard seconds.isFinite, abs(seconds) < 1e15 else { return "\(seconds) s" }
    if abs(seconds) < 60 { return String(format: "%.1f s", seconds) }
    let s = Int(seconds.rounded(.down))
    if s < 3600 { return "\(s / 60) min \(s % 60) s" }
    return "\(s / 3600) h \((s % 3600) / 60) min \(s % 60) s"
}

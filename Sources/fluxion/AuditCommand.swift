import ArgumentParser
import FluxionAlerts
import Foundation

/// `fluxion audit`: the accepted mutating calls fluxiond recorded in its data directory.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show the audit trail: every accepted mutating call (who, from where, what, outcome).",
        discussion: "Reads audit.sqlite3 in fluxiond's data directory (on the server's machine).")

    @Option(help: "fluxiond's data directory. Default: $XDG_STATE_HOME/fluxion, else ~/.local/state/fluxion.")
    var data: String?

    @Option(help: "Show at most this many of the newest entries.")
    var limit = 50

    @Option(help: "Only this method (e.g. InjectLeak).")
    var method: String?

    @Option(name: .customLong("token-id"), help: "Only calls made with this token id.")
    var tokenID: String?

    @Flag(help: "One JSON document.")
    var json = false

    func validate() throws {
        guard (1...100_000).contains(limit) else { throw ValidationError("--limit must be 1…100000, got \(limit)") }
    }

    func run() throws {
        let directory = data ?? StateDirectory.defaultPath
        guard FileManager.default.fileExists(atPath: directory + "/" + AuditStore.fileName) else {
            throw CLIError("no audit trail in \(directory) (\(AuditStore.fileName) is missing)")
        }
        let entries: [AuditStore.Entry]
        do throws(AlertStoreError) {
            entries = try AuditStore(directory: directory, readOnly: true).recent(
                limit: limit, method: method, tokenID: tokenID)
        } catch {
            throw CLIError(error.description)
        }
        if json {
            printJSON(
                entries.map {
                    [
                        "seq": $0.sequence, "wall_unix_ns": $0.wallUnixNs, "peer": $0.peer, "token_id": $0.tokenID,
                        "method": $0.method, "arguments": $0.arguments, "status": $0.status, "message": $0.message,
                    ] as [String: Any]
                })
            return
        }
        let format = ISO8601DateFormatter()
        for e in entries {
            let time = format.string(from: Date(timeIntervalSince1970: Double(e.wallUnixNs) / 1e9))
            let who = e.tokenID.isEmpty ? "-" : e.tokenID
            print(
                "\(e.sequence)  \(time)  \(who)@\(e.peer)  \(e.method) \(e.arguments)  → \(e.status)\(e.message.isEmpty ? "" : ": \(e.message)")"
            )
        }
    }
}

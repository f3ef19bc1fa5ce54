import ArgumentParser
import FluxionClient
import FluxionWire
import Foundation

/// `fluxion alerts ack|shelve|unshelve`: alarm handling (docs/ALERTS.md "Alarms").
extension AlertsCommand {
    /// Options every alarm action takes: which alert, on which network, by whom.
    struct AlarmTarget: ParsableArguments {
        @Argument(help: "The alert id (e.g. ALR-3).") var alertID: String
        @Option(help: "The alert's network (default: the server's own).") var network: String = ""
        @Option(
            name: .customLong("operator"),
            help: "Your name, recorded beside the token's id (default: $FLUXION_OPERATOR, else $USER).")
        var operatorName: String?

        var operatorOrDefault: String {
            operatorName ?? ProcessInfo.processInfo.environment["FLUXION_OPERATOR"]
                ?? ProcessInfo.processInfo.environment["USER"] ?? ""
        }

        func validate() throws {
            guard !alertID.isEmpty else { throw ValidationError("the alert id is empty") }
        }
    }

    struct Ack: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ack",
            abstract: "Acknowledge an alert (once: a second acknowledgement is refused, naming the first).")
        @OptionGroup var target: AlarmTarget
        @Option(help: "A comment kept with the acknowledgement (at most 1024 bytes).") var comment: String = ""
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            let request = Wire.AcknowledgeAlertRequest(
                alertID: target.alertID, network: target.network, comment: comment,
                operatorName: target.operatorOrDefault)
            let r: Wire.AcknowledgeAlertResponse = try alarmCall(connection) { conn throws(RPCError) in
                try conn.unary(Wire.Fluxion.acknowledgeAlert, request)
            }
            try show(r.alert, connection)
        }
    }

    struct Shelve: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "shelve",
            abstract: "Shelve an alert for a time (--for) or until it clears (--one-shot), with a reason.",
            discussion: "Durations: 90s, 30m, 2h, 1d, 1h30m, or plain seconds; 1 s … 30 days.")
        @OptionGroup var target: AlarmTarget
        @Option(name: .customLong("for"), help: "How long, e.g. 2h (1 s … 30 days).") var duration: String?
        @Flag(help: "Until the alert clears (at most 30 days) instead of for a time.") var oneShot = false
        @Option(help: "Why (required; at most 1024 bytes).") var reason: String
        @OptionGroup var connection: ConnectionOptions

        func validate() throws {
            switch (duration, oneShot) {
            case (nil, false): throw ValidationError("give --for DURATION (e.g. --for 2h) or --one-shot")
            case (.some, true): throw ValidationError("--for and --one-shot cannot be combined")
            case (let d?, false):
                guard let s = Self.seconds(d) else {
                    throw ValidationError("--for must be a duration such as 90s, 30m, 2h, 1d or 1h30m, got '\(d)'")
                }
                guard s >= 1, s <= 30 * 86_400 else {
                    throw ValidationError("--for must be 1 s … 30 days, got '\(d)' (\(s) s)")
                }
            case (nil, true): break
            }
            guard !reason.allSatisfy(\.isWhitespace) else { throw ValidationError("--reason is empty") }
        }

        /// Seconds in "90s", "30m", "2h", "1d", "1h30m", "45" (seconds); nil if not a duration.
        static func seconds(_ text: String) -> Double? {
            if let plain = Double(text) { return plain.isFinite ? plain : nil }
            var total = 0.0
            var number = ""
            for c in text {
                if c.isNumber || c == "." {
                    number.append(c)
                    continue
                }
                let unit: Double
                switch c {
                case "s": unit = 1
                case "m": unit = 60
                case "h": unit = 3600
                case "d": unit = 86_400
                default: return nil
                }
                guard let n = Double(number) else { return nil }
                total += n * unit
                number = ""
            }
            return number.isEmpty && !text.isEmpty ? total : nil
        }

        func run() throws {
            let request = Wire.ShelveAlertRequest(
                alertID: target.alertID, network: target.network, kind: oneShot ? .oneShot : .timed,
                durationS: duration.flatMap(Self.seconds) ?? 0, reason: reason, operatorName: target.operatorOrDefault)
            let r: Wire.ShelveAlertResponse = try alarmCall(connection) { conn throws(RPCError) in
                try conn.unary(Wire.Fluxion.shelveAlert, request)
            }
            try show(r.alert, connection)
        }
    }

    struct Unshelve: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "unshelve", abstract: "End an alert's shelving before its time.")
        @OptionGroup var target: AlarmTarget
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            let request = Wire.UnshelveAlertRequest(
                alertID: target.alertID, network: target.network, operatorName: target.operatorOrDefault)
            let r: Wire.UnshelveAlertResponse = try alarmCall(connection) { conn throws(RPCError) in
                try conn.unary(Wire.Fluxion.unshelveAlert, request)
            }
            try show(r.alert, connection)
        }
    }
}

private func alarmCall<R>(
    _ connection: ConnectionOptions, _ body: (FluxionConnection) throws(RPCError) -> R
) throws
    -> R
{
    let conn = try connection.connect()
    defer { conn.close() }
    return try rpc { () throws(RPCError) in try body(conn) }
}

/// The alert after an alarm action: one line ("ALR-3 shelved (timed) until … by alice: reason"),
/// or its JSON object.
private func show(_ alert: Wire.Alert?, _ connection: ConnectionOptions) throws {
    let a = try alert.required("alert")
    if connection.json { return printJSON(a.json) }
    print("\(a.alertID) \(a.alarmSummary)")
}

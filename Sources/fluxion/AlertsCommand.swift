import ArgumentParser
import FluxionClient
import FluxionWire
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

struct AlertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Query stored alerts, aggregate them, or follow new ones live.",
        discussion: """
            Without --by or --follow: the alerts that pass the filters, oldest raise first, as a \
            table (--json: one JSON array; --csv FILE: a CSV file, '-' for stdout), paging \
            through QueryAlerts up to --limit. With --by: count, mean and max probability per \
            station, hour of day (simulated clock), detector or network. With --follow: every alert event \
            (raised, updated, cleared, acknowledged, shelved, unshelved) as it happens, until interrupted.
            The ALARM column: unacked (raised, not acknowledged), acked, unacked-rtn (cleared while \
            unacknowledged), normal, shelved. Alarm handling: fluxion alerts ack|shelve|unshelve ID.
            """,
        subcommands: [Ack.self, Shelve.self, Unshelve.self])

    @OptionGroup var connection: ConnectionOptions
    @Option(name: .customLong("detector"), help: "Only alerts of this detector (repeatable).") var detectors: [String] =
        []
    @Option(name: .customLong("station"), help: "Only alerts nearest this station id (repeatable).") var stations:
        [String] = []
    @Option(name: .customLong("pipe"), help: "Only alerts on this pipe id (repeatable).") var pipes: [String] = []
    @Option(
        name: .customLong("network"),
        help: "Only alerts of this network (repeatable; a shared PostgreSQL store holds many; default: all).")
    var networks: [String] = []
    @Option(help: "Only alerts in this state: raised or cleared.") var state: String?
    @Option(help: "Only alerts whose peak probability is at least this (0…1).") var minProbability: Double = 0
    @Option(help: "Only alerts at least this severe: low, medium, high or critical.") var minSeverity: String?
    @Option(help: "Only alerts raised at or after this simulated time, s.") var since: Double?
    @Option(help: "Only alerts raised at or before this simulated time, s.") var until: Double?
    @Option(help: "Print at most this many alerts (pages of up to 1000 are fetched as needed).") var limit: Int = 100
    @Option(help: "Write the alerts as CSV to this file ('-': standard output) instead of a table.") var csv: String?
    @Option(help: "Aggregate instead of listing: station, hour, detector or network.") var by: String?
    @Flag(help: "Follow new alert events live (StreamAlerts) until interrupted.") var follow = false
    @Flag(help: "Only unacknowledged alerts (unacked_active, unacked_returned; not shelved ones).") var unacked = false
    @Option(
        name: .customLong("alarm-state"),
        help:
            "Only alerts in this alarm state (repeatable): unacked_active, acked_active, unacked_returned, normal, shelved."
    )
    var alarmStates: [String] = []

    func validate() throws {
        if let state, !["raised", "cleared"].contains(state) {
            throw ValidationError("--state must be raised or cleared, got '\(state)'")
        }
        if let minSeverity, Self.severity(minSeverity) == nil {
            throw ValidationError("--min-severity must be low, medium, high or critical, got '\(minSeverity)'")
        }
        guard minProbability.isFinite, (0...1).contains(minProbability) else {
            throw ValidationError("--min-probability must be 0…1, got \(minProbability)")
        }
        if let since, let until, since > until {
            throw ValidationError("--since (\(since)) is after --until (\(until))")
        }
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1, got \(limit)") }
        if let by, Self.grouping(by) == nil {
            throw ValidationError("--by must be station, hour, detector or network, got '\(by)'")
        }
        for name in alarmStates where Self.alarmState(name) == nil {
            throw ValidationError(
                "--alarm-state must be unacked_active, acked_active, unacked_returned, normal or shelved, got '\(name)'"
            )
        }
        let modes = [by != nil, follow, csv != nil].filter { $0 }.count
        guard modes <= 1 else { throw ValidationError("--by, --follow and --csv cannot be combined") }
    }

    static func severity(_ name: String) -> Wire.Severity? {
        Wire.Severity.allCases.first { $0 != .unspecified && $0.name == name }
    }

    static func alarmState(_ name: String) -> Wire.AlarmState? {
        Wire.AlarmState.allCases.first { $0 != .unspecified && $0.name == name }
    }

    static func grouping(_ name: String) -> Wire.AlertGrouping? {
        ["station": .station, "hour": .hourOfDay, "detector": .detector, "network": .network][name]
    }

    var filter: Wire.AlertFilter {
        var f = Wire.AlertFilter()
        f.networks = networks
        f.detectors = detectors
        f.stationIDs = stations
        f.pipeIDs = pipes
        f.state = state == "raised" ? .raised : state == "cleared" ? .cleared : .unspecified
        f.minProbability = minProbability
        f.minSeverity = minSeverity.flatMap(Self.severity) ?? .unspecified
        f.alarmStates = alarmStates.compactMap(Self.alarmState) + (unacked ? [.unackedActive, .unackedReturned] : [])
        if since != nil || until != nil {
            f.simTime = Wire.SimTimeRange(
                startS: since ?? -Double.greatestFiniteMagnitude, endS: until ?? Double.greatestFiniteMagnitude)
        }
        return f
    }

    func run() throws {
        let conn = try connection.connect()
        defer { conn.close() }
        if let by, let grouping = Self.grouping(by) {
            let r: Wire.AggregateAlertsResponse = try rpc { () throws(RPCError) in
                try conn.unary(
                    Wire.Fluxion.aggregateAlerts, Wire.AggregateAlertsRequest(filter: filter, groupBy: grouping))
            }
            printAggregate(r.buckets, by: by)
        } else if follow {
            try followEvents(conn)
        } else {
            var alerts: [Wire.Alert] = []
            var token = ""
            var total: UInt64 = 0
            repeat {
                let size = UInt32(min(1000, limit - alerts.count))
                let page: Wire.QueryAlertsResponse = try rpc { () throws(RPCError) in
                    try conn.unary(
                        Wire.Fluxion.queryAlerts,
                        Wire.QueryAlertsRequest(filter: filter, pageSize: size, pageToken: token)
                    )
                }
                alerts += page.alerts
                total = page.totalCount
                token = page.nextPageToken
            } while !token.isEmpty && alerts.count < limit
            try output(alerts, total: total)
        }
    }

    private func output(_ alerts: [Wire.Alert], total: UInt64) throws {
        if let csv {
            guard let writer = CSVWriter(path: csv) else { throw CLIError("--csv \(csv): cannot create the file") }
            writer.write(Wire.Alert.csvHeader + "\n")
            for a in alerts { writer.write(a.csvRow + "\n") }
            writer.close()
            if csv != "-" { print("wrote \(alerts.count) alerts to \(csv)") }
        } else if connection.json {
            printJSON(alerts.map(\.json))
        } else if alerts.isEmpty {
            print("no alerts")
        } else {
            print(Wire.Alert.tableHeader)
            for a in alerts { print(a.tableRow) }
            if total > UInt64(alerts.count) { print("(\(alerts.count) of \(total); raise --limit to see more)") }
        }
    }

    private func printAggregate(_ buckets: [Wire.AlertBucket], by: String) {
        if connection.json {
            printJSON(
                buckets.map {
                    [
                        "key": $0.key, "count": $0.count, "mean_probability": $0.meanProbability,
                        "max_probability": $0.maxProbability,
                    ] as [String: Any]
                })
            return
        }
        guard !buckets.isEmpty else { return print("no alerts") }
        func cells(_ key: String, _ rest: [String]) -> String {
            key.padding(toLength: max(12, key.count), withPad: " ", startingAt: 0)
                + rest.map { String(repeating: " ", count: max(0, 10 - $0.count)) + $0 }.joined()
        }
        print(cells(by.uppercased(), ["COUNT", "MEAN P", "MAX P"]))
        for b in buckets {
            let key = b.key.isEmpty ? "-" : (by == "hour" ? b.key + ":00" : b.key)
            print(
                cells(
                    key,
                    ["\(b.count)", String(format: "%.3f", b.meanProbability), String(format: "%.3f", b.maxProbability)])
            )
        }
    }

    private func followEvents(_ conn: FluxionConnection) throws {
        let stream: ClientStream<Wire.AlertEvent> = try rpc { () throws(RPCError) in
            try conn.serverStream(Wire.Fluxion.streamAlerts, Wire.StreamAlertsRequest(filter: filter))
        }
        if !connection.json { print(Wire.Alert.tableHeader) }
        while let event = try rpc({ () throws(RPCError) in try stream.next() }) {
            let alert = try event.alert.required("alert")
            if connection.json {
                var object = alert.json
                object["event"] = event.kind.name
                if !event.operatorName.isEmpty || !event.tokenID.isEmpty {
                    object["event_operator"] = event.operatorName
                    object["event_token_id"] = event.tokenID
                }
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else if [.acknowledged, .shelved, .unshelved].contains(event.kind) {
                print("\(alert.alertID) \(alert.alarmSummary)")
            } else {
                print(alert.tableRow)
            }
            fflush(nil)
        }
    }
}

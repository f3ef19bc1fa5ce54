import FluxionClient
import FluxionWire
import Foundation
import Testing

/// Alarm handling end to end: the real fluxiond with tokens, serving a store written by
/// `alerts-crash-writer` (ALR-1…ALR-6, raised and cleared: unacknowledged, returned to normal);
/// the CLI and the Swift client over real sockets; the stream, the audit trail and a restart.
@Suite struct AlarmEndToEndTests {
    let directory: URL
    let tokens: String
    let data: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fluxion-alarms-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        tokens = directory.appendingPathComponent("tokens").path
        data = directory.appendingPathComponent("data").path
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
    }

    private func create(_ id: String, _ role: String) throws -> String {
        let r = try runProduct("fluxion", ["token", "create", "--file", tokens, "--id", id, "--role", role])
        #expect(r.status == 0, "\(r.err)")
        return r.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func alarmState(_ c: FluxionConnection, _ id: String) throws -> Wire.Alert? {
        let r: Wire.QueryAlertsResponse = try c.unary(Wire.Fluxion.queryAlerts, Wire.QueryAlertsRequest(pageSize: 100))
        return r.alerts.first { $0.alertID == id }
    }

    @Test func acknowledgeShelveStreamAuditAndRestart() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let ops = try create("ops", "operate")
        let viewer = try create("viewer", "read")
        let writer = try runProduct("alerts-crash-writer", [data, "12"])
        #expect(writer.status == 0, "\(writer.err)")
        var server = try ServerProcess(["--tokens", tokens, "--data", data])
        defer { server.stop() }
        let address = ["--server", "127.0.0.1:\(server.port)"]

        // A follower of the unacknowledged alerts, with a read token.
        let follower = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30, token: viewer)
        defer { follower.close() }
        var filter = Wire.AlertFilter()
        filter.alarmStates = [.unackedActive, .unackedReturned]
        let stream: ClientStream<Wire.AlertEvent> = try follower.serverStream(
            Wire.Fluxion.streamAlerts, Wire.StreamAlertsRequest(filter: filter))
        // The stream is registered once a unary call on the same connection has been answered
        // after it (calls are taken in order).
        let _: Wire.HealthResponse = try follower.unary(Wire.Fluxion.health, Wire.HealthRequest())

        // A read token may not acknowledge: one line, non-zero exit, nothing changed.
        let denied = try runProduct(
            "fluxion", ["alerts", "ack", "ALR-1"] + address, environment: ["FLUXION_TOKEN": viewer])
        #expect(denied.status != 0)
        #expect(
            denied.err.hasPrefix(
                "Error: PERMISSION_DENIED: AcknowledgeAlert needs a token with role operate; token 'viewer' has role read"
            ),
            "\(denied.err)")

        // Acknowledge with the CLI; the follower sees the alert leave the unacknowledged set.
        let ack = try runProduct(
            "fluxion", ["alerts", "ack", "ALR-1", "--comment", "crew sent", "--operator", "alice"] + address,
            environment: ["FLUXION_TOKEN": ops])
        #expect(ack.status == 0, "\(ack.err)")
        #expect(ack.out.hasPrefix("ALR-1 normal acknowledged by alice (token ops) at "), "\(ack.out)")
        #expect(ack.out.hasSuffix(": crew sent\n"))
        let acked = try #require(try stream.next())
        #expect(acked.kind == .acknowledged && acked.operatorName == "alice" && acked.tokenID == "ops")
        #expect(acked.alert?.alertID == "ALR-1" && acked.alert?.alarmState == .normal)
        #expect(acked.alert?.acknowledgement?.comment == "crew sent")

        // Bad input from the client: status and message naming the field; the CLI checks first.
        let client = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30, token: ops)
        defer { client.close() }
        for (request, message) in [
            (
                Wire.ShelveAlertRequest(alertID: "ALR-2", durationS: .nan, reason: "r"),
                "duration_s: must be 1 … 2592000 s"
            ),
            (
                Wire.ShelveAlertRequest(alertID: "ALR-2", durationS: 1e300, reason: "r"),
                "duration_s: must be 1 … 2592000 s"
            ),
            (Wire.ShelveAlertRequest(alertID: "ALR-2", durationS: 60, reason: "  "), "reason: required"),
        ] {
            let e = #expect(throws: RPCError.self) {
                let _: Wire.ShelveAlertResponse = try client.unary(Wire.Fluxion.shelveAlert, request)
            }
            #expect(e?.code == .invalidArgument && e?.message.hasPrefix(message) == true, "\(String(describing: e))")
        }
        let missing = try runProduct(
            "fluxion", ["alerts", "unshelve", "ALR-42"] + address, environment: ["FLUXION_TOKEN": ops])
        #expect(missing.err == "Error: NOT_FOUND: no alert ALR-42\n", "\(missing.err)")
        let twice = try runProduct(
            "fluxion", ["alerts", "ack", "ALR-1"] + address, environment: ["FLUXION_TOKEN": ops])
        #expect(
            twice.err.hasPrefix(
                "Error: FAILED_PRECONDITION: alert ALR-1 is already acknowledged by alice (token ops) at "))
        let badFor = try runProduct(
            "fluxion", ["alerts", "shelve", "ALR-2", "--for", "2 weeks", "--reason", "r"] + address)
        #expect(badFor.status != 0 && badFor.err.hasPrefix("Error: --for must be a duration such as 90s"))

        // A one-second shelving: shelved at once, then it runs out by itself, streamed with no operator.
        let shelved: Wire.ShelveAlertResponse = try client.unary(
            Wire.Fluxion.shelveAlert,
            Wire.ShelveAlertRequest(alertID: "ALR-2", durationS: 1, reason: "test", operatorName: "bob"))
        #expect(shelved.alert?.alarmState == .shelved && shelved.alert?.shelving?.tokenID == "ops")
        let left = try #require(try stream.next())
        #expect(left.kind == .shelved && left.alert?.alertID == "ALR-2" && left.operatorName == "bob")
        let started = ContinuousClock.now
        let back = try #require(try stream.next())
        #expect(back.kind == .unshelved && back.operatorName == "" && back.tokenID == "")
        #expect(back.alert?.alarmState == .unackedReturned && back.alert?.shelving == nil)
        // Within a housekeeping tick (≤ 1 s) of its end, plus scheduling slack.
        #expect(ContinuousClock.now - started < .seconds(3))

        // A shelving for 2 h with the CLI, seen in the table; kept over a restart.
        let shelve = try runProduct(
            "fluxion",
            ["alerts", "shelve", "ALR-3", "--for", "2h", "--reason", "valve work", "--operator", "carol"]
                + address, environment: ["FLUXION_TOKEN": ops])
        #expect(shelve.status == 0, "\(shelve.err)")
        #expect(
            shelve.out.contains("ALR-3 shelved (timed) until ")
                && shelve.out.contains("by carol (token ops): valve work"))
        let unacked = try runProduct("fluxion", ["alerts", "--unacked", "--json"] + address)
        let ids = (try JSONSerialization.jsonObject(with: Data(unacked.out.utf8)) as? [[String: Any]])?
            .compactMap { $0["alert_id"] as? String }
        #expect(ids == ["ALR-2", "ALR-4", "ALR-5", "ALR-6"])

        // A shelving that runs out after a restart (8 s: a stop and a start take ~1 s) is found
        // by the new server, which ends it.
        let _: Wire.ShelveAlertResponse = try client.unary(
            Wire.Fluxion.shelveAlert, Wire.ShelveAlertRequest(alertID: "ALR-5", durationS: 8, reason: "restart"))
        follower.close()
        #expect(server.stop() == 0)
        server = try ServerProcess(["--tokens", tokens, "--data", data])
        let again = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30, token: ops)
        defer { again.close() }
        let restream: ClientStream<Wire.AlertEvent> = try again.serverStream(
            Wire.Fluxion.streamAlerts, Wire.StreamAlertsRequest())
        let _: Wire.HealthResponse = try again.unary(Wire.Fluxion.health, Wire.HealthRequest())
        let ran = try #require(try restream.next())
        #expect(ran.kind == .unshelved && ran.alert?.alertID == "ALR-5" && ran.operatorName == "")
        restream.cancel()
        #expect(try Self.alarmState(again, "ALR-1")?.alarmState == .normal)
        #expect(try Self.alarmState(again, "ALR-3")?.shelving?.reason == "valve work")
        let unshelved: Wire.UnshelveAlertResponse = try again.unary(
            Wire.Fluxion.unshelveAlert, Wire.UnshelveAlertRequest(alertID: "ALR-3"))
        #expect(unshelved.alert?.alarmState == .unackedReturned)
        #expect(server.stop() == 0)

        // Every accepted alarm action is in the audit trail with its token, refused ones too.
        let audit = try runProduct("fluxion", ["audit", "--data", data, "--json"])
        let entries = try JSONSerialization.jsonObject(with: Data(audit.out.utf8)) as? [[String: Any]] ?? []
        let alarmEntries = entries.filter { ($0["method"] as? String)?.hasSuffix("Alert") == true }
        #expect(
            alarmEntries.map { "\($0["method"] ?? "") \($0["status"] ?? "")" } == [
                "AcknowledgeAlert OK", "ShelveAlert INVALID_ARGUMENT", "ShelveAlert INVALID_ARGUMENT",
                "ShelveAlert INVALID_ARGUMENT", "UnshelveAlert NOT_FOUND", "AcknowledgeAlert FAILED_PRECONDITION",
                "ShelveAlert OK", "ShelveAlert OK", "ShelveAlert OK", "UnshelveAlert OK",
            ], "\(alarmEntries)")
        #expect(alarmEntries.allSatisfy { $0["token_id"] as? String == "ops" })
        #expect((alarmEntries.first?["arguments"] as? String)?.contains(#"comment="crew sent""#) == true)
    }
}

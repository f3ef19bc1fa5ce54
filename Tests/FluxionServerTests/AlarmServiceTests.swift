import FluxionAlerts
import FluxionClient
import FluxionDetectorKit
import FluxionServer
import FluxionTestSupport
import FluxionWire
import Foundation
import Testing

/// Alarm actions mixed with the engine's own events, in process over real sockets: the events
/// the engine publishes after an acknowledgement or a one-shot shelving carry the alarm state the
/// store holds (the engine's records know nothing of it).
@Suite struct AlarmServiceTests {
    static func signal(_ p: Double, at t: Double) -> AlertSignal {
        AlertSignal(
            detector: "thr", simTimeS: t, wallTimeUnixNs: Int64(t * 1e9),
            estimate: DetectorEstimate(probability: p, pipeID: "P1", positionM: 2_000))
    }

    @Test func engineEventsAfterAnAlarmActionCarryTheStoredAlarmState() throws {
        let dir = try TemporaryDirectory()
        let server = try AlertServiceTests.server(dir.url)
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        let stream: ClientStream<Wire.AlertEvent> = try conn.serverStream(
            Wire.Fluxion.streamAlerts, Wire.StreamAlertsRequest())
        let _: Wire.HealthResponse = try conn.unary(Wire.Fluxion.health, Wire.HealthRequest())

        #expect(AlertServiceTests.ingest(server, [Self.signal(0.85, at: 10)]) == 1)
        let raised = try #require(try stream.next())
        #expect(raised.kind == .raised && raised.alert?.alarmState == .unackedActive)

        let ack: Wire.AcknowledgeAlertResponse = try conn.unary(
            Wire.Fluxion.acknowledgeAlert, Wire.AcknowledgeAlertRequest(alertID: "ALR-1", operatorName: "op"))
        #expect(ack.alert?.alarmState == .ackedActive && ack.alert?.acknowledgement?.tokenID == "")
        #expect(try stream.next()?.kind == .acknowledged)

        // The peak rises by ≥ 0.05: an `updated` event, still acknowledged.
        #expect(AlertServiceTests.ingest(server, [Self.signal(0.95, at: 11)]) == 1)
        let updated = try #require(try stream.next())
        #expect(updated.kind == .updated && updated.alert?.probability == 0.95)
        #expect(updated.alert?.alarmState == .ackedActive && updated.alert?.acknowledgement?.operatorName == "op")

        let shelve: Wire.ShelveAlertResponse = try conn.unary(
            Wire.Fluxion.shelveAlert,
            Wire.ShelveAlertRequest(alertID: "ALR-1", kind: .oneShot, reason: "until it clears"))
        #expect(shelve.alert?.alarmState == .shelved && shelve.alert?.shelving?.kind == .oneShot)
        #expect(try stream.next()?.kind == .shelved)

        // The clear ends the one-shot shelving in the same save: cleared and acknowledged.
        #expect(AlertServiceTests.ingest(server, [Self.signal(0.1, at: 12)]) == 1)
        let cleared = try #require(try stream.next())
        #expect(cleared.kind == .cleared && cleared.alert?.alarmState == .normal && cleared.alert?.shelving == nil)
        let q: Wire.QueryAlertsResponse = try conn.unary(Wire.Fluxion.queryAlerts, Wire.QueryAlertsRequest())
        #expect(q.alerts.map(\.alarmState) == [.normal])
        stream.cancel()
    }
}

import FluxionAlerts
import FluxionSparkplug
import Foundation

/// Publishes alert events to the broker as JSON, one message per event (docs/FIELD-DATA.md):
/// topic `fluxion/NETWORK/alerts`, QoS 1, not retained.
///
/// Why JSON and not Sparkplug: an alert is an event with text fields (ids, pipe, station) and a
/// life cycle (raised, updated, cleared), which Sparkplug's metric model (a value per tag,
/// announced by a BIRTH) fits poorly; any MQTT consumer (Node-RED, Telegraf, a historian)
/// reads a JSON object without a protobuf schema.
public enum FieldAlertPublisher {
    /// The topic alerts of `network` go to.
    public static func topic(network: String) -> String { "fluxion/\(network)/alerts" }

    /// The JSON of one event (keys sorted, absent fields left out).
    public static func json(_ event: AlertEvent) -> [UInt8] {
        let a = event.alert
        var o: [String: Any] = [
            "event": event.kind.rawValue, "alert_id": a.id, "network": a.network, "detector": a.detector,
            "state": a.state.name, "raised_sim_time_s": a.raisedSimTimeS, "raised_wall_unix_ns": a.raisedWallUnixNs,
            "updated_sim_time_s": a.updatedSimTimeS, "probability": a.probability,
            "severity": "\(a.severity)",
        ]
        if let v = a.clearedSimTimeS { o["cleared_sim_time_s"] = v }
        if let v = a.pipeID { o["pipe_id"] = v }
        if let v = a.positionM { o["position_m"] = v }
        if let v = a.stationID { o["station_id"] = v }
        if let v = a.segmentID { o["segment_id"] = v }
        if let v = a.sizeFraction { o["size_fraction"] = v }
        let data = (try? JSONSerialization.data(withJSONObject: o, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Array(data)
    }

    /// Publishes every event of `events` through `client` (any thread; libmosquitto queues).
    /// Returns how many could not be queued (not connected).
    @discardableResult
    public static func publish(_ events: [AlertEvent], network: String, client: MQTTClient) -> Int {
        var failed = 0
        for e in events where !client.publish(topic(network: network), json(e), qos: 1) { failed += 1 }
        return failed
    }
}

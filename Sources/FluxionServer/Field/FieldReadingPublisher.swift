import FluxionTwin

/// Publishes the readings fluxiond hands to its detectors (field data: mapped and converted to
/// the sensors' units) as JSON, one message per sample block, QoS 0 (docs/FIELD-DATA.md):
/// topic `fluxion/NETWORK/readings`.
public enum FieldReadingPublisher {
    /// The topic readings of `network` go to.
    public static func topic(network: String) -> String { "fluxion/\(network)/readings" }

    /// The JSON of one block: `{"sim_time_s":…,"wall_time_unix_ns":…,"readings":[{"sensor_id":…,
    /// "value":…,"unit":…,"valid":…}]}`; an invalid reading's value is null.
    public static func json(simTimeS: Double, wallTimeUnixNs: Int64, readings: [Reading]) -> [UInt8] {
        var s = "{\"sim_time_s\":\(simTimeS),\"wall_time_unix_ns\":\(wallTimeUnixNs),\"readings\":["
        for (i, r) in readings.enumerated() {
            if i > 0 { s += "," }
            let value = r.valid && r.value.isFinite ? "\(r.value)" : "null"
            s +=
                "{\"sensor_id\":\(quoted(r.sensorId)),\"value\":\(value),\"unit\":\(quoted(r.unit)),\"valid\":\(r.valid)}"
        }
        s += "]}"
        return Array(s.utf8)
    }

    /// A JSON string literal.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for c in text.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where c.value < 0x20: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }
}

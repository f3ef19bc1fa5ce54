import FluxionTwin
import Yams

extension ScenarioLoader {
    /// The `field:` section: the broker-side names of the scenario's sensors (docs/FIELD-DATA.md).
    static func parseField(_ m: inout YAMLMapping, sensors: [Sensor], isGas: Bool) throws(ScenarioError) -> FieldMapping
    {
        var field = FieldMapping()
        if let group = try m.string("group") {
            guard isTopicElement(group) else {
                throw m.error("group", "must be a Sparkplug group id (no '/', '+', '#')")
            }
            field.group = group
        }
        field.latenessS = try m.positive("lateness_s", allowZero: true) ?? field.latenessS
        guard field.latenessS <= 60 else { throw m.error("lateness_s", "must be at most 60 s") }
        field.staleAfterS = try m.positive("stale_after_s") ?? field.staleAfterS
        guard field.staleAfterS <= 86_400 else { throw m.error("stale_after_s", "must be at most 86400 s") }
        let index = Dictionary(sensors.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        var bySensor: [String: Int] = [:]
        var byKey: [String: Int] = [:]
        for (i, node) in try m.sequence("metrics").enumerated() {
            var e = try YAMLMapping(node, file: m.file, element: "field.metrics[\(i)]")
            let sensorId = try e.requiredString("sensor")
            guard let sensorIndex = index[sensorId] else {
                throw e.error("sensor", "names unknown sensor '\(sensorId)'")
            }
            if let first = bySensor[sensorId] {
                throw e.error("sensor", "sensor '\(sensorId)' is already mapped by field.metrics[\(first)]")
            }
            let metric = try e.string("metric") ?? sensorId
            guard !metric.isEmpty else { throw e.error("metric", "must not be empty") }
            let edge = try e.string("edge")
            let device = try e.string("device")
            for (key, value) in [("edge", edge), ("device", device)] {
                if let value, !isTopicElement(value) {
                    throw e.error(key, "must be a Sparkplug id (no '/', '+', '#')")
                }
            }
            if device != nil, edge == nil {
                throw e.error("device", "needs edge: a device is named under its edge node")
            }
            let key = "\(edge ?? "*")/\(device ?? "-")/\(metric)"
            if let first = byKey[key] {
                throw e.error(
                    "metric", "metric '\(metric)' of the same source is already mapped by field.metrics[\(first)]")
            }
            let sensorUnit = sensors[sensorIndex].quantity.unit(isGas: isGas)
            var scale = 1.0
            var offset = 0.0
            if let unit = try e.string("unit") {
                guard let c = FieldMapping.conversion(from: unit, to: sensorUnit) else {
                    throw e.error(
                        "unit",
                        "cannot convert '\(unit)' to the sensor's unit \(sensorUnit); known: \(FieldMapping.units(for: sensorUnit).joined(separator: ", "))"
                    )
                }
                (scale, offset) = c
            }
            if e.has("scale") || e.has("offset") {
                guard !e.has("unit") else { throw e.error("scale", "give either unit or scale/offset, not both") }
                scale = try e.double("scale") ?? 1
                offset = try e.double("offset") ?? 0
                guard scale != 0 else { throw e.error("scale", "must not be 0") }
            }
            try e.finish()
            bySensor[sensorId] = i
            byKey[key] = i
            field.metrics.append(
                FieldMapping.Metric(
                    sensorIndex: sensorIndex, sensorId: sensorId, metric: metric, edgeNode: edge, device: device,
                    scale: scale, offset: offset))
        }
        try m.finish()
        guard !field.metrics.isEmpty else { throw m.error("metrics", "must map at least one metric to a sensor") }
        return field
    }

    private static func isTopicElement(_ s: String) -> Bool {
        !s.isEmpty && !s.contains { $0 == "/" || $0 == "+" || $0 == "#" }
    }
}

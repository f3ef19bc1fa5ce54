/// How readings from a SCADA broker (MQTT, Sparkplug B) map onto a scenario's sensors: the
/// `field:` section of a scenario file (docs/FIELD-DATA.md). Plain values; the server's field
/// ingest applies them.
public struct FieldMapping: Sendable, Equatable {
    /// One metric → sensor rule: `value_in_sensor_unit = raw · scale + offset`.
    public struct Metric: Sendable, Equatable {
        /// Index of the sensor in the scenario's `sensors`.
        public var sensorIndex: Int
        public var sensorId: String
        /// The Sparkplug metric name (aliases are learnt from BIRTH messages).
        public var metric: String
        /// The edge node that publishes it; nil: any edge node.
        public var edgeNode: String?
        /// The device under the edge node; nil: node-level metrics (NDATA), or any device when
        /// `edgeNode` is nil too.
        public var device: String?
        public var scale: Double
        public var offset: Double

        public init(
            sensorIndex: Int, sensorId: String, metric: String, edgeNode: String? = nil, device: String? = nil,
            scale: Double = 1, offset: Double = 0
        ) {
            self.sensorIndex = sensorIndex
            self.sensorId = sensorId
            self.metric = metric
            self.edgeNode = edgeNode
            self.device = device
            self.scale = scale
            self.offset = offset
        }
    }

    /// Sparkplug group id subscribed to; nil: every group (`+`).
    public var group: String?
    /// How long (device time, s) a sample block stays open for late metrics of the same
    /// timestamp; 0: a block is complete with the message that brought it.
    public var latenessS: Double
    /// A sensor with no reading for this long (device time, s; and a feed silent for this long
    /// in wall time) reads invalid until it reports again.
    public var staleAfterS: Double
    public var metrics: [Metric]

    public init(group: String? = nil, latenessS: Double = 0.2, staleAfterS: Double = 5, metrics: [Metric] = []) {
        self.group = group
        self.latenessS = latenessS
        self.staleAfterS = staleAfterS
        self.metrics = metrics
    }

    /// `(scale, offset)` that convert `unit` into `sensorUnit`, nil when there is no such rule.
    public static func conversion(from unit: String, to sensorUnit: String) -> (scale: Double, offset: Double)? {
        if unit == sensorUnit { return (1, 0) }
        switch (sensorUnit, unit) {
        case ("Pa", "kPa"): return (1e3, 0)
        case ("Pa", "MPa"): return (1e6, 0)
        case ("Pa", "bar"): return (1e5, 0)
        case ("Pa", "mbar"): return (100, 0)
        case ("Pa", "psi"): return (6894.757293168361, 0)
        case ("m3/s", "m3/h"): return (1.0 / 3600, 0)
        case ("m3/s", "L/s"): return (1e-3, 0)
        case ("Sm3/h", "Sm3/s"): return (3600, 0)
        case ("Sm3/h", "Sm3/d"): return (1.0 / 24, 0)
        case ("Sm3/h", "kSm3/h"): return (1e3, 0)
        case ("degC", "K"): return (1, -273.15)
        case ("degC", "degF"): return (5.0 / 9, -32 * 5.0 / 9)
        case ("kg/m3", "g/L"): return (1, 0)
        case ("m3", "L"): return (1e-3, 0)
        case ("Sm3", "kSm3"): return (1e3, 0)
        default: return nil
        }
    }

    /// The unit names `conversion` knows for a sensor unit (for error messages).
    public static func units(for sensorUnit: String) -> [String] {
        let all = [
            "Pa", "kPa", "MPa", "bar", "mbar", "psi", "m3/s", "m3/h", "L/s", "Sm3/h", "Sm3/s", "Sm3/d",
            "kSm3/h", "degC", "K", "degF", "kg/m3", "g/L", "m3", "L", "Sm3", "kSm3", "m",
        ]
        return all.filter { conversion(from: $0, to: sensorUnit) != nil }
    }
}

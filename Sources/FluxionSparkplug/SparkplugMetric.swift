/// Sparkplug B metric data types (the specification's numbering).
public enum SparkplugDataType: UInt32, Sendable {
    case unknown = 0
    case int8 = 1, int16 = 2, int32 = 3, int64 = 4
    case uint8 = 5, uint16 = 6, uint32 = 7, uint64 = 8
    case float = 9, double = 10, boolean = 11, string = 12, dateTime = 13, text = 14
    case uuid = 15, dataSet = 16, bytes = 17, file = 18, template = 19

    /// Whether values of this type are numbers Fluxion can read as a sensor value.
    public var isNumeric: Bool {
        switch self {
        case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64, .float, .double: true
        default: false
        }
    }
}

/// The value of one metric, as carried.
public enum SparkplugValue: Sendable, Equatable {
    /// `int_value` (Int8…UInt32, the lower 32 bits as sent).
    case int(UInt32)
    /// `long_value` (Int64, UInt64, DateTime, the 64 bits as sent).
    case long(UInt64)
    case float(Float)
    case double(Double)
    case boolean(Bool)
    case string(String)
    case bytes(Int)
    /// `is_null` set, or no value field.
    case null

    /// The number this value stands for under `type`, or nil when it is not a number of that type.
    public func number(as type: SparkplugDataType) -> Double? {
        switch (self, type) {
        case (.int(let v), .int8): Double(Int8(truncatingIfNeeded: v))
        case (.int(let v), .int16): Double(Int16(truncatingIfNeeded: v))
        case (.int(let v), .int32): Double(Int32(bitPattern: v))
        case (.int(let v), .uint8): Double(UInt8(truncatingIfNeeded: v))
        case (.int(let v), .uint16): Double(UInt16(truncatingIfNeeded: v))
        case (.int(let v), .uint32): Double(v)
        case (.long(let v), .int64): Double(Int64(bitPattern: v))
        case (.long(let v), .uint64): Double(v)
        case (.float(let v), .float): Double(v)
        case (.double(let v), .double): v
        default: nil
        }
    }
}

/// One metric of a payload. `name` is set in BIRTH messages (and by publishers that use no
/// aliases); `alias` in DATA messages of publishers that use aliases.
public struct SparkplugMetric: Sendable, Equatable {
    public var name: String?
    public var alias: UInt64?
    /// Acquisition time, ms since the Unix epoch; nil: the payload's timestamp applies.
    public var timestampMs: UInt64?
    /// The declared type (`datatype`); nil when not sent (DATA messages may leave it out).
    public var dataType: UInt32?
    public var value: SparkplugValue

    public init(
        name: String? = nil, alias: UInt64? = nil, timestampMs: UInt64? = nil, dataType: UInt32? = nil,
        value: SparkplugValue
    ) {
        self.name = name
        self.alias = alias
        self.timestampMs = timestampMs
        self.dataType = dataType
        self.value = value
    }
}

/// A decoded payload.
public struct SparkplugPayload: Sendable, Equatable {
    /// Publishing time, ms since the Unix epoch.
    public var timestampMs: UInt64?
    /// Sequence number, 0…255 (nil: not sent).
    public var seq: UInt64?
    public var metrics: [SparkplugMetric]

    public init(timestampMs: UInt64? = nil, seq: UInt64? = nil, metrics: [SparkplugMetric] = []) {
        self.timestampMs = timestampMs
        self.seq = seq
        self.metrics = metrics
    }
}

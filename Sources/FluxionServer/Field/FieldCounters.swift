/// What field ingest has taken and refused, by cause (docs/FIELD-DATA.md). Each refusal cause is
/// logged once, when it first happens; the counters keep counting.
public struct FieldCounters: Sendable, Equatable {
    /// Why a message or a metric was not used.
    public enum Cause: String, Sendable, CaseIterable {
        /// A topic under the subscription that is not a Sparkplug B node or device topic.
        case notSparkplug = "not_sparkplug"
        /// A payload protobuf could not decode (or larger than the limit).
        case malformed
        /// A DATA metric whose name is not in the scenario's `field.metrics`.
        case unmappedMetric = "unmapped_metric"
        /// A DATA metric with an alias no BIRTH of its edge node/device declared.
        case unknownAlias = "unknown_alias"
        /// A value that is not a number of its declared type (or not finite after conversion).
        case wrongType = "wrong_type"
        /// A BIRTH that contradicts the mapping: a mapped metric declared as a non-number, or
        /// one alias given to two metrics. The metric is ignored until a BIRTH fixes it.
        case birthConflict = "birth_conflict"
        /// A message whose seq is not the previous one's + 1 (mod 256) from the same edge node.
        case seqGap = "seq_gap"
        /// A metric for a sample time whose block was already handed on.
        case late
        /// A second value for the same sensor and sample time.
        case duplicate
        /// A timestamp more than a day ahead of the server's clock (a device clock gone wrong,
        /// or garbage): taking it would make every later reading `late`.
        case futureTimestamp = "future_timestamp"
        /// An edge node or device beyond the 4,096 tracked, or a BIRTH of more than 4,096
        /// metrics: not tracked (a publisher inventing names cannot grow the server's memory).
        case limit
    }

    /// MQTT messages received.
    public var messages: UInt64 = 0
    /// Metric values mapped onto a sensor and handed on.
    public var metricsMapped: UInt64 = 0
    /// Sample blocks handed on (one per distinct device timestamp, plus gap blocks).
    public var blocks: UInt64 = 0
    /// Blocks of invalid readings made because the whole feed was silent (`stale_after_s`).
    public var gapBlocks: UInt64 = 0
    /// Connections to the broker accepted (1 + reconnects).
    public var connects: UInt64 = 0
    /// Refusals by cause, indexed like `Cause.allCases`.
    public var refused: [UInt64] = Array(repeating: 0, count: Cause.allCases.count)

    public init() {}

    public subscript(_ cause: Cause) -> UInt64 {
        get { refused[Cause.allCases.firstIndex(of: cause)!] }
        set { refused[Cause.allCases.firstIndex(of: cause)!] = newValue }
    }

    /// Name → value, for GetServerInfo and logs.
    public var named: [(name: String, value: UInt64)] {
        [
            ("messages", messages), ("metrics_mapped", metricsMapped), ("blocks", blocks),
            ("gap_blocks", gapBlocks), ("connects", connects),
        ] + Cause.allCases.map { ($0.rawValue, self[$0]) }
    }
}

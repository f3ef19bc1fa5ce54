import FluxionTwin

/// The readings of one sample tick, as the twin thread hands them to the loop thread.
struct TwinBatch: Sendable {
    /// Sequence number of this batch since the server started (no gaps).
    var sequence: UInt64
    var simTimeS: Double
    var wallTimeUnixNs: Int64
    /// The readings with the index of their sensor in the scenario (for filtering).
    var readings: [(sensorIndex: Int, reading: Reading)]
}

/// A leak appearing or being cleared, with both clocks (evaluation and alerts link to these).
public struct LeakEvent: Sendable, Equatable {
    public enum Kind: String, Sendable { case injected, cleared }
    public var kind: Kind
    public var leak: LeakInfo
    public var simTimeS: Double
    public var wallTimeUnixNs: Int64
}

/// What one hand-over from the twin thread carries.
struct TwinDelivery: Sendable {
    var batches: [TwinBatch]
    var leakEvents: [LeakEvent]
    var simTimeS: Double
    /// Simulated times at which the state became non-finite and was restarted (see
    /// `Simulation.instabilities`); empty in a healthy run.
    var restartsS: [Double] = []
}

import FluxionTwin
import FluxionWire
import Logging

/// Delivers each tick's readings to every StreamReadings call. Loop thread only.
///
/// Per call: its filter, decimation (every n-th batch that has readings for it), and maximum
/// rate. Batches are encoded once per distinct filter and the bytes shared by all calls with
/// that filter.
///
/// Slow clients: when a call's connection has more queued than the server's stream backlog
/// limit, the batch is skipped for that call and counted; the next batch that fits carries
/// `skipped_batches` (so the client always gets the newest data and knows what it missed).
/// A call that has been unable to take anything for `stallTimeoutMs` ends with
/// RESOURCE_EXHAUSTED. A slow client never delays the others, and its memory is bounded by
/// the backlog limit.
final class ReadingFanout {
    private final class Subscriber {
        let call: ServerCall
        let filter: ReadingFilter
        let decimation: UInt64
        let minIntervalNs: UInt64
        var eligible: UInt64 = 0
        var lastSentNs: UInt64 = 0
        var skipped: UInt64 = 0
        var stalledSinceNs: UInt64?

        init(call: ServerCall, filter: ReadingFilter, decimation: UInt32, maxRateHz: Double) {
            self.call = call
            self.filter = filter
            self.decimation = UInt64(max(decimation, 1))
            minIntervalNs = maxRateHz > 0 ? .saturating(1e9 / maxRateHz) : 0
        }
    }

    private var subscribers: [ObjectIdentifier: Subscriber] = [:]
    private let stallTimeoutMs: Int
    private var logger: Logger
    /// Readings handed to the kernel's queues, for the benchmark and health figures.
    private(set) var readingsDelivered: UInt64 = 0

    init(stallTimeoutMs: Int, logger: Logger) {
        self.stallTimeoutMs = stallTimeoutMs
        self.logger = logger
    }

    var count: Int { subscribers.count }

    func add(_ call: ServerCall, filter: ReadingFilter, request: Wire.StreamReadingsRequest) {
        let sub = Subscriber(call: call, filter: filter, decimation: request.decimation, maxRateHz: request.maxRateHz)
        let key = ObjectIdentifier(call)
        subscribers[key] = sub
        call.onCancel = { [weak self] in self?.subscribers.removeValue(forKey: key) }
    }

    /// Ends every stream (server shutdown).
    func endAll(_ status: Wire.StatusCode, _ message: String) {
        let all = subscribers.values
        subscribers.removeAll()
        for sub in all { sub.call.finish(status, message) }
    }

    func publish(_ batches: [TwinBatch]) {
        guard !subscribers.isEmpty else { return }
        let now = monotonicNs()
        for batch in batches {
            var encoded: [ReadingFilter: (payload: [UInt8], count: Int)] = [:]
            for (key, sub) in subscribers {
                let selected: (payload: [UInt8], count: Int)
                if let cached = encoded[sub.filter] {
                    selected = cached
                } else {
                    selected = Self.encode(batch, sub.filter, skipped: 0)
                    encoded[sub.filter] = selected
                }
                if selected.count == 0 { continue }
                sub.eligible += 1
                if (sub.eligible - 1) % sub.decimation != 0 { continue }
                if sub.minIntervalNs > 0, sub.lastSentNs != 0, now &- sub.lastSentNs < sub.minIntervalNs { continue }
                let payload =
                    sub.skipped == 0 ? selected.payload : Self.encode(batch, sub.filter, skipped: sub.skipped).payload
                switch sub.call.send(payload) {
                case .sent:
                    sub.skipped = 0
                    sub.stalledSinceNs = nil
                    sub.lastSentNs = now
                    readingsDelivered &+= UInt64(selected.count)
                case .backlogged:
                    if sub.stalledSinceNs == nil {
                        logger.debug("stream call \(sub.call.id): backlog \(sub.call.backlogBytes) bytes, skipping")
                    }
                    sub.skipped += 1
                    let since = sub.stalledSinceNs ?? now
                    sub.stalledSinceNs = since
                    if now &- since > UInt64(max(stallTimeoutMs, 0)) &* 1_000_000 {
                        subscribers.removeValue(forKey: key)
                        logger.info("stream call \(sub.call.id) ended: client took nothing for \(stallTimeoutMs) ms")
                        sub.call.finish(
                            .resourceExhausted,
                            "client read too slowly: nothing taken for \(stallTimeoutMs) ms, \(sub.skipped) batches skipped"
                        )
                    }
                case .closed:
                    logger.debug("stream call \(sub.call.id): connection no longer writable, stream dropped")
                    subscribers.removeValue(forKey: key)
                }
            }
        }
    }

    private static func encode(
        _ batch: TwinBatch, _ filter: ReadingFilter, skipped: UInt64
    ) -> (payload: [UInt8], count: Int) {
        var readings: [Wire.Reading] = []
        readings.reserveCapacity(batch.readings.count)
        for (index, r) in batch.readings where filter.passes(index) {
            readings.append(
                Wire.Reading(
                    sensorID: r.sensorId, quantity: Wire.Quantity(r.quantity), value: r.value, unit: r.unit,
                    simTimeS: r.simTimeS, wallTimeUnixNs: batch.wallTimeUnixNs, valid: r.valid))
        }
        if readings.isEmpty { return ([], 0) }
        let message = Wire.ReadingBatch(
            tick: batch.sequence, simTimeS: batch.simTimeS, wallTimeUnixNs: batch.wallTimeUnixNs,
            readings: readings, skippedBatches: skipped)
        return (message.encoded(), readings.count)
    }
}

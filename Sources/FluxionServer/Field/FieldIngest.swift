import FluxionSparkplug
import FluxionTwin
import Foundation
import Logging
import Synchronization

/// Takes readings from an MQTT broker (Sparkplug B) instead of the twin's physics and hands
/// them to the loop thread as the twin does.
///
/// ```
///  MQTT client thread: message ─► FieldAssembler ─► blocks ─► outbox (locked)
///                      every ≤ 100 ms: assembler.tick (late blocks, silent-feed gap blocks)
///  loop thread:        loop.execute ─► take the whole outbox ─► TwinService.received (streams,
///                      detectors, alerts: the path of simulated readings)
/// ```
///
/// The loop thread never waits: the client thread appends to the outbox and schedules one
/// hand-over when none is scheduled; the hand-over drains everything queued so far.
/// Field time: a block's simulated time is `originSimS + (block ms − first block ms) / 1000`,
/// where `originSimS` is one second past where the twin's clock stood when ingest started (after
/// the warm start), so the detectors see one continuous clock.
public final class FieldIngest: @unchecked Sendable {
    /// Where and how to subscribe.
    public struct Options: Sendable {
        public var broker: MQTTClient.Options
        /// Sparkplug group to subscribe to; nil: the scenario's `field.group`, else every group.
        public var group: String?
        /// Publish alerts as JSON to `alertTopic` (nil: none).
        public var alertTopic: String?
        /// Publish the mapped readings as JSON to `readingTopic` (nil: none).
        public var readingTopic: String?

        public init(
            broker: MQTTClient.Options, group: String? = nil, alertTopic: String? = nil, readingTopic: String? = nil
        ) {
            self.broker = broker
            self.group = group
            self.alertTopic = alertTopic
            self.readingTopic = readingTopic
        }
    }

    public let options: Options
    public let client: MQTTClient
    private let mapping: FieldMapping
    private let sensors: [Sensor]
    private let isGas: Bool
    private var logger: Logger
    private let assembler: FieldAssembler
    private let outbox = Mutex<(blocks: [FieldAssembler.Block], scheduled: Bool)>(([], false))
    private let published = Mutex(FieldCounters())
    private let origin = Mutex<(simS: Double, ms: UInt64?)>((0, nil))
    private var sequence: UInt64 = 0

    /// The subscription filter.
    public var subscription: String { "\(SparkplugTopic.namespace)/\(options.group ?? mapping.group ?? "+")/#" }

    public init(options: Options, scenario: Scenario, logger: Logger) throws(MQTTError) {
        guard let mapping = scenario.field else {
            throw .setup("scenario \(scenario.name) has no field: section mapping broker metrics to its sensors")
        }
        self.options = options
        self.mapping = mapping
        sensors = scenario.sensors
        isGas = scenario.network.fluid.isGas
        self.logger = logger
        assembler = FieldAssembler(mapping: mapping)
        client = try MQTTClient(options.broker)
        assembler.onFirstRefusal = { [logger] cause, detail in
            logger.warning(
                "field data: \(cause.rawValue) (logged once, counted in GetServerInfo field_counters): \(detail)")
        }
        let subscription = self.subscription
        client.onConnect = { [unowned self, logger] in
            client.subscribe(subscription, qos: 0)
            published.withLock { $0.connects &+= 1 }
            logger.notice(
                "field data: connected to \(options.broker.host):\(options.broker.port), subscribed to \(subscription)")
        }
        client.onDisconnect = { [logger] reason in logger.warning("field data: \(reason); reconnecting") }
    }

    /// Starts the client thread; `deliver` runs on `loop`'s thread with each hand-over.
    func start(originSimS: Double, loop: EventLoop, deliver: @escaping @Sendable (TwinDelivery) -> Void) {
        origin.withLock { $0.simS = originSimS + 1 }
        client.onMessage = { [unowned self] topic, payload in
            var blocks: [FieldAssembler.Block] = []
            let now = Self.wallMs()
            assembler.ingest(topic: topic, payload: payload, wallMs: now) { blocks.append($0) }
            for ncmd in assembler.takeRebirthRequests(wallMs: now) { requestRebirth(ncmd, wallMs: now) }
            handOver(blocks, loop: loop, deliver: deliver)
        }
        client.onIdle = { [unowned self] in
            var blocks: [FieldAssembler.Block] = []
            assembler.tick(wallMs: Self.wallMs()) { blocks.append($0) }
            handOver(blocks, loop: loop, deliver: deliver)
        }
        client.start()
    }

    public func stop() { client.stop() }

    /// Asks an edge node for a new BIRTH (Sparkplug's `Node Control/Rebirth` NCMD), so that its
    /// aliases become known; client thread.
    private func requestRebirth(_ ncmd: SparkplugTopic, wallMs: UInt64) {
        let payload = SparkplugPayload(
            timestampMs: wallMs,
            metrics: [
                SparkplugMetric(
                    name: "Node Control/Rebirth", dataType: SparkplugDataType.boolean.rawValue, value: .boolean(true))
            ])
        client.publish(ncmd.string, SparkplugEncoder.encode(payload))
        logger.notice("field data: asked edge node \(ncmd.group)/\(ncmd.edgeNode) for a new BIRTH (\(ncmd.string))")
    }

    /// The counters as of the last message (any thread).
    public var counters: FieldCounters { published.withLock { $0 } }

    private func handOver(
        _ blocks: [FieldAssembler.Block], loop: EventLoop, deliver: @escaping @Sendable (TwinDelivery) -> Void
    ) {
        published.withLock { c in
            let connects = c.connects
            c = assembler.counters
            c.connects = connects
        }
        guard !blocks.isEmpty else { return }
        let schedule = outbox.withLock { box -> Bool in
            box.blocks.append(contentsOf: blocks)
            defer { box.scheduled = true }
            return !box.scheduled
        }
        guard schedule else { return }
        loop.execute { [self] in
            let taken = outbox.withLock { box -> [FieldAssembler.Block] in
                defer {
                    box.blocks.removeAll(keepingCapacity: true)
                    box.scheduled = false
                }
                return box.blocks
            }
            deliver(delivery(taken))
        }
    }

    /// Blocks as the twin's batches (loop thread).
    private func delivery(_ blocks: [FieldAssembler.Block]) -> TwinDelivery {
        var batches: [TwinBatch] = []
        batches.reserveCapacity(blocks.count)
        var simS = 0.0
        for block in blocks {
            simS = origin.withLock { o in
                if o.ms == nil { o.ms = block.timeMs }
                return o.simS + Double(Int64(bitPattern: block.timeMs &- o.ms!)) / 1000
            }
            sequence += 1
            let readings = block.readings.map { r in
                let sensor = sensors[r.sensorIndex]
                return (
                    r.sensorIndex,
                    Reading(
                        sensorId: sensor.id, quantity: sensor.quantity, value: r.valid ? r.value : .nan,
                        unit: sensor.quantity.unit(isGas: isGas), simTimeS: simS, valid: r.valid,
                        sensorIndex: r.sensorIndex)
                )
            }
            batches.append(
                TwinBatch(
                    sequence: sequence, simTimeS: simS,
                    wallTimeUnixNs: Int64(clamping: min(block.timeMs, UInt64(Int64.max / 1_000_000))) * 1_000_000,
                    readings: readings))
        }
        return TwinDelivery(batches: batches, leakEvents: [], simTimeS: simS)
    }

    static func wallMs() -> UInt64 { UInt64(max(0, wallUnixNs() / 1_000_000)) }
}

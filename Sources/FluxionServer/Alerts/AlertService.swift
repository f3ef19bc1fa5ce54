import FluxionAlerts
import FluxionDetectorKit
import FluxionWire
import Logging

/// Serves alerts: turns detector signals into alerts (`ingest`), stores them, streams them
/// (StreamAlerts) and answers QueryAlerts and AggregateAlerts. Loop thread only, like every
/// service the `Server` owns; SQLite is never touched on the loop thread.
///
/// ```
///  loop thread: detector host ──ingest([AlertSignal])──▶ AlertEngine ──events──┐
///                      TwinService.leakEvents ─┘ (matching)                      │ in order
///  writer thread:                                     AlertStore.save (fsync) ◀─┘
///  loop thread:  AlertFanout ──▶ StreamAlerts calls ◀── only after the commit ──┘
///  loop thread:  QueryAlerts / AggregateAlerts ──▶ reader thread: AlertStore (SQL) ──▶ answer
/// ```
///
/// The engine (pure logic, ids from `AlertStore.reserveID`) runs on the loop thread; saving and
/// querying run on two `AlertStoreThread`s (writer and reader, each its own SQLite connection),
/// so a write that waits for a lock held by another process, or for its fsync, holds up no
/// connection. Completions come back to the loop thread in the order the work was handed over
/// (`LoopWorker`), so events are published in the engine's order.
///
/// An event is published only after the store has committed it: a client is never told of an
/// alert that a crash could lose. If the store fails, the events of that call are logged and
/// not published (`storeFailures` counts them); the engine's next event for the same alert
/// writes the whole alert again, so the store catches up. At shutdown the writes already handed
/// over are waited for (and later ones as they come), so a clean stop loses no alert.
public final class AlertService {
    /// The alert store's file.
    public let storePath: String
    private let writer: AlertStoreThread
    private let reader: AlertStoreThread
    private var engine: AlertEngine
    private let fanout: AlertFanout
    private weak var twin: TwinService?
    private var logger: Logger
    private var isStopping = false
    /// `ingest` calls whose events could not be stored (and so were not published).
    public private(set) var storeFailures = 0

    /// Registers QueryAlerts, AggregateAlerts and StreamAlerts on `server` and keeps itself
    /// alive in `server.services`. Alerts that a previous run left raised are closed first, on
    /// the caller's thread before serving (their engine state is gone; see
    /// `AlertStore.closeOrphans`).
    /// - Parameters:
    ///   - store: the open store; this service owns it from now on (its writer thread uses it;
    ///     a second connection to the same file serves queries).
    ///   - network: pipes and stations, for the nearest station and segment
    ///     (`AlertService.networkDescription(of:)` builds it from a twin topology).
    ///   - twin: when present, alerts are matched to the leaks it injected.
    public init(
        server: Server, store: AlertStore, network: NetworkDescription? = nil, twin: TwinService? = nil,
        configuration: AlertEngine.Configuration = AlertEngine.Configuration()
    ) throws(AlertStoreError) {
        storePath = store.path
        let closed = try store.closeOrphans(wallUnixNs: wallUnixNs())
        let queries = try AlertStore(path: store.path)
        // `reserveID` is the one store method safe from any thread: the writer saves meanwhile.
        engine = AlertEngine(configuration: configuration, locator: network.map(NetworkLocator.init) ?? .empty) {
            store.reserveID()
        }
        writer = AlertStoreThread(store: store, loop: server.loop, name: "the alert store")
        reader = AlertStoreThread(store: queries, loop: server.loop, name: "the alert store's reader")
        fanout = AlertFanout(logger: server.logger)
        self.twin = twin
        logger = server.logger
        if closed > 0 {
            logger.notice("alert store \(store.path): closed \(closed) alerts left raised by the previous run")
        }
        server.services.append(self)
        register(server.router)
        server.onShutdown.append { [unowned self] in
            fanout.endAll(.unavailable, "server is shutting down")
            // Writes handed over so far become durable before the loop closes; later ones (the
            // detectors' last signals, delivered while the loop drains) are waited for in
            // `persistAndPublish`.
            isStopping = true
            writer.waitUntilIdle()
        }
    }

    /// Feeds one tick's (or several ticks') detector signals, in order. Loop thread only: the
    /// detector host hands results to the loop (uv_async) and calls this there.
    ///
    /// Raised, updated and cleared alerts are handed to the writer thread (one transaction),
    /// and published to StreamAlerts subscribers once durable. Returns at once.
    /// - Parameter stored: runs on the loop thread with the events once they are stored and
    ///   published (empty if nothing changed or storing failed).
    public func ingest(_ signals: [AlertSignal], stored: (([FluxionAlerts.AlertEvent]) -> Void)? = nil) {
        guard !signals.isEmpty else {
            stored?([])
            return
        }
        let leaks = twin.map { Self.leakReferences($0.leakEvents) } ?? []
        persistAndPublish(engine.process(signals, leaks: leaks), stored)
    }

    /// Hands `events` to the writer (one transaction); once saved, logs and publishes them on the
    /// loop thread; nothing is published if the save fails.
    private func persistAndPublish(
        _ events: [FluxionAlerts.AlertEvent], _ stored: (([FluxionAlerts.AlertEvent]) -> Void)?
    ) {
        guard !events.isEmpty else {
            stored?([])
            return
        }
        let records = events.map(\.alert)
        let me = LoopBound(self), then = LoopBound(stored)
        do throws(WorkerStopped) {
            try writer.perform({ store throws(AlertStoreError) in try store.save(records) }) { result in
                me.value.saved(events, result.mapError { $0 as any Error }, then.value)
            }
        } catch {
            saved(events, .failure(error), stored)
        }
        if isStopping { writer.waitUntilIdle() }
    }

    /// The writer's answer, on the loop thread.
    private func saved(
        _ events: [FluxionAlerts.AlertEvent], _ result: Result<Void, any Error>,
        _ stored: (([FluxionAlerts.AlertEvent]) -> Void)?
    ) {
        if case .failure(let error) = result {
            storeFailures += 1
            logger.error("\(error); \(events.count) alert events not published")
            stored?([])
            return
        }
        for e in events where e.kind != .updated {
            logger.info(
                "alert \(e.alert.id) \(e.kind.rawValue): \(e.alert.detector) p=\(e.alert.probability) \(e.alert.pipeID ?? "-")@\(e.alert.positionM.map { "\($0.rounded())" } ?? "-") m station \(e.alert.stationID ?? "-") leak \(e.alert.matchedLeakID ?? "-")"
            )
        }
        fanout.publish(events)
        stored?(events)
    }

    /// Call when a detector is unloaded or swapped out (loop thread): its raised alert, if any,
    /// is cleared at `simTimeS` (the twin's current sim time), stored, then streamed.
    /// - Parameter stored: runs on the loop thread with the cleared event once it is stored (nil
    ///   if there was none, or storing failed).
    public func removeDetector(
        _ detector: String, simTimeS: Double, stored: ((FluxionAlerts.AlertEvent?) -> Void)? = nil
    ) {
        guard let event = engine.removeDetector(detector, simTimeS: simTimeS, wallTimeUnixNs: wallUnixNs()) else {
            stored?(nil)
            return
        }
        persistAndPublish([event]) { stored?($0.first) }
    }

    /// Alerts raised now, by detector.
    public var raisedAlerts: [String: AlertRecord] { engine.raisedAlerts }

    /// StreamAlerts calls open now.
    public var subscriberCount: Int { fanout.count }

    private func register(_ router: Router) {
        // Reads run on the reader thread: `Router.unary(_:on:)`, the one way to finish work
        // done off the loop.
        router.unary(Wire.Fluxion.queryAlerts, on: reader) { (request: Wire.QueryAlertsRequest) throws(RPCError) in
            let query = try (request.filter ?? Wire.AlertFilter()).query()
            let size = request.pageSize == 0 ? 100 : Int(request.pageSize)
            guard size <= AlertStore.maxPageSize else {
                throw .invalidArgument("page_size: at most \(AlertStore.maxPageSize), got \(request.pageSize)")
            }
            let token = request.pageToken
            return { store throws(AlertStoreError) in try store.query(query, pageSize: size, pageToken: token) }
        } answer: { _, page in
            Wire.QueryAlertsResponse(
                alerts: page.alerts.map(Wire.Alert.init),
                nextPageToken: page.nextPageToken ?? "", totalCount: UInt64(page.totalCount))
        }
        router.unary(Wire.Fluxion.aggregateAlerts, on: reader) {
            (request: Wire.AggregateAlertsRequest) throws(RPCError) in
            let query = try (request.filter ?? Wire.AlertFilter()).query()
            let grouping: FluxionAlerts.AlertGrouping
            switch request.groupBy {
            case .station: grouping = .station
            case .hourOfDay: grouping = .hourOfDay
            case .detector: grouping = .detector
            case .unspecified, .unrecognized:
                throw .invalidArgument("group_by: must be station, hour of day or detector, got \(request.groupBy)")
            }
            return { store throws(AlertStoreError) in try store.aggregate(query, by: grouping) }
        } answer: { _, buckets in
            Wire.AggregateAlertsResponse(
                buckets: buckets.map {
                    Wire.AlertBucket(
                        key: $0.key, count: UInt64($0.count), meanProbability: $0.meanProbability,
                        maxProbability: $0.maxProbability)
                })
        }
        router.serverStreaming(Wire.Fluxion.streamAlerts) {
            [unowned self] (request: Wire.StreamAlertsRequest, call) throws(RPCError) in
            fanout.add(call, query: try (request.filter ?? Wire.AlertFilter()).query())
        }
    }
}

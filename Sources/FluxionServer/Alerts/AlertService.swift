import FluxionAlerts
import FluxionDetectorKit
import FluxionWire
import Logging

/// Serves alerts: turns detector signals into alerts (`ingest`), stores them, streams them
/// (StreamAlerts) and answers QueryAlerts and AggregateAlerts. Loop thread only, like every
/// service the `Server` owns; the store (SQLite or PostgreSQL) is never touched on the loop thread.
///
/// ```
///  loop thread: detector host ──ingest([AlertSignal])──▶ AlertEngine ──events──▶ pending ─┐
///                      TwinService.leakEvents ─┘ (matching)           (one save at a time) │
///  writer thread:                        AlertStore.save (durable; retried if transient) ◀┘
///  loop thread:  AlertFanout ──▶ StreamAlerts calls ◀── only after the commit ──┘
///                     ▲ other networks' changes (shared PostgreSQL store only)
///  relay thread:  AlertRelay: LISTEN/NOTIFY on its own connection, catches up after a gap
///  loop thread:  QueryAlerts / AggregateAlerts ──▶ reader thread: AlertStore (SQL) ──▶ answer
/// ```
///
/// The engine (pure logic, ids from `AlertStore.reserveID`) runs on the loop thread; saving and
/// querying run on two `AlertStoreThread`s (writer and reader, each its own connection), so a
/// write that waits for a lock held by another process, for its fsync, or for a database that
/// went away, holds up no connection. One save runs at a time; events that arrive meanwhile wait
/// in `pending` and go together in the next (group commit: one transaction, the latest record
/// of each alert). Completions come back to the loop thread in order, so events are published
/// in the engine's order.
///
/// An event is published only after the store has committed it: a client is never told of an
/// alert that a crash could lose. A transient failure (PostgreSQL unreachable) is retried by
/// the writer until the store is back (`SaveRetry`); pending events are bounded
/// (`maxPendingEvents`). Any other failure: the events of that save are logged and not
/// published (`storeFailures` counts them); the engine's next event for the same alert writes
/// the whole alert again, so the store catches up. At shutdown the writes already handed over
/// are waited for (and later ones as they come), so a clean stop loses no alert.
public final class AlertService {
    /// The alert store's file or address.
    public let storeLocation: String
    /// The network (shard) id on every alert this service raises.
    public let network: String
    let writer: AlertStoreThread
    private let reader: AlertStoreThread
    private var engine: AlertEngine
    let fanout: AlertFanout
    /// Other networks' alert changes, for a store shared with other servers (nil for SQLite).
    private var relay: AlertRelay?
    /// Alert changes of other servers handed to StreamAlerts (through the relay).
    public private(set) var relayedChanges = 0
    private weak var twin: TwinService?
    var logger: Logger
    /// Shelvings in force that this server ends when they run out (`AlertService+Alarms`):
    /// network and id → end, Unix ns; those being ended now.
    var shelvingEnds: [AlarmKey: Int64] = [:]
    var shelvingEndsInFlight: Set<AlarmKey> = []
    private var isStopping = false
    /// Saves that failed, plus events refused because too many waited (none of them published).
    public private(set) var storeFailures = 0
    /// Events waiting for the store (one save runs at a time; these go in the next), in order.
    private var pending: [PendingSave] = []
    private var pendingEventCount = 0
    /// Where the latest pending event of each alert is in `pending` (index, index in its events).
    private var pendingIndex: [String: (save: Int, event: Int)] = [:]
    private var saveInFlight = false
    private let retry: SaveRetry
    /// The most events held while the store is unreachable (bounded memory), checked when an
    /// `ingest` arrives: one that finds fewer waiting is taken whole (so memory stays within
    /// this plus one call's events). One that finds more: events of alerts already waiting
    /// replace their pending event; events of new alerts are refused (logged, counted in
    /// `storeFailures`, never published).
    public var maxPendingEvents = 50_000

    private struct PendingSave {
        var events: [FluxionAlerts.AlertEvent]
        var stored: (([FluxionAlerts.AlertEvent]) -> Void)?
    }

    /// Registers QueryAlerts, AggregateAlerts and StreamAlerts on `server` and keeps itself
    /// alive in `server.services`. Alerts that a previous run left raised are closed first, on
    /// the caller's thread before serving (their engine state is gone; see
    /// `AlertStore.closeOrphans`).
    /// - Parameters:
    ///   - store: the open store; this service owns it from now on (its writer thread uses it;
    ///     a second connection to the same store serves queries). Its network is stamped on
    ///     every alert.
    ///   - network: pipes and stations, for the nearest station and segment
    ///     (`AlertService.networkDescription(of:)` builds it from a twin topology).
    ///   - twin: when present, alerts are matched to the leaks it injected.
    public init(
        server: Server, store: any AlertStore, network: NetworkDescription? = nil, twin: TwinService? = nil,
        configuration: AlertEngine.Configuration = AlertEngine.Configuration()
    ) throws(AlertStoreError) {
        storeLocation = store.location
        self.network = store.network
        let closed = try store.closeOrphans(wallUnixNs: wallUnixNs())
        let queries = try store.reopen()
        let shelved = try Self.shelvingsInForce(store)
        var configuration = configuration
        configuration.network = store.network
        // `reserveID` is the one store method safe from any thread: the writer saves meanwhile.
        engine = AlertEngine(configuration: configuration, locator: network.map(NetworkLocator.init) ?? .empty) {
            store.reserveID()
        }
        writer = AlertStoreThread(store: store, loop: server.loop, name: "the alert store")
        reader = AlertStoreThread(store: queries, loop: server.loop, name: "the alert store's reader")
        fanout = AlertFanout(logger: server.logger)
        retry = SaveRetry(logger: server.logger)
        self.twin = twin
        logger = server.logger
        if closed > 0 {
            logger.notice("alert store \(store.location): closed \(closed) alerts left raised by the previous run")
        }
        if let feed = try store.changeFeed() {
            let relay = AlertRelay(feed: feed, location: store.location, loop: server.loop, logger: server.logger) {
                [unowned self] records in relayed(records)
            }
            self.relay = relay
            relay.start()
        }
        server.services.append(self)
        register(server.router)
        registerAlarmMethods(server.router)
        shelvingEnds = shelved
        server.housekeepingTasks.append { [unowned self] in endShelvingsRunOut() }
        server.onShutdown.append { [unowned self] in
            relay?.stop()
            fanout.endAll(.unavailable, "server is shutting down")
            // Writes handed over so far become durable before the loop closes; later ones (the
            // detectors' last signals, delivered while the loop drains) are waited for in
            // `flush`. A store that stays unreachable is given `SaveRetry.shutdownGraceS`.
            isStopping = true
            retry.stop()
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

    /// Called on the loop thread with alert events once they are stored and streamed (the field
    /// egress publishes them to the broker).
    public var onPublished: [([FluxionAlerts.AlertEvent]) -> Void] = []

    /// Events waiting for the store now (not yet durable, so not yet published).
    public var pendingEvents: Int { pendingEventCount }

    /// Queues `events` for the writer; once saved they are logged and published on the loop
    /// thread, in order; nothing is published if the save fails.
    private func persistAndPublish(
        _ events: [FluxionAlerts.AlertEvent], _ stored: (([FluxionAlerts.AlertEvent]) -> Void)?
    ) {
        guard !events.isEmpty else {
            stored?([])
            return
        }
        let underPressure = pendingEventCount >= maxPendingEvents
        pending.append(PendingSave(events: [], stored: stored))
        let save = pending.count - 1
        var refused = 0
        for event in events {
            if !underPressure {
                pendingIndex[event.alert.id] = (save, pending[save].events.count)
                pending[save].events.append(event)
                pendingEventCount += 1
            } else if let at = pendingIndex[event.alert.id] {
                // The store keeps only the latest state; a StreamAlerts client sees that state,
                // which tells the kind.
                pending[at.save].events[at.event] = event
            } else {
                refused += 1
            }
        }
        if refused > 0 {
            storeFailures += refused
            logger.error(
                "alert store \(storeLocation): \(pendingEventCount) alert events already wait for it; \(refused) events of new alerts not stored, not published"
            )
        }
        if !saveInFlight { flush() }
    }

    /// Hands everything pending to the writer as one save (the latest record of each alert).
    private func flush() {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending = []
        pendingEventCount = 0
        pendingIndex = [:]
        var order: [String] = []
        var latest: [String: AlertRecord] = [:]
        for e in batch.flatMap(\.events) {
            if latest.updateValue(e.alert, forKey: e.alert.id) == nil { order.append(e.alert.id) }
        }
        let records = order.compactMap { latest[$0] }
        let me = LoopBound(self), saves = LoopBound(batch), retry = retry
        saveInFlight = true
        do throws(WorkerStopped) {
            try writer.perform({ store throws(AlertStoreError) in try retry.save(records, to: store) }) { result in
                me.value.saved(saves.value, result)
            }
        } catch {
            saved(batch, .failure(.unavailable(location: storeLocation, reason: error.description)))
        }
        if isStopping { writer.waitUntilIdle() }
    }

    /// The writer's answer, on the loop thread.
    private func saved(_ batch: [PendingSave], _ result: Result<SaveRetry.Outcome, AlertStoreError>) {
        saveInFlight = false
        switch result {
        case .failure(let error):
            for save in batch {
                if !save.events.isEmpty {
                    storeFailures += 1
                    logger.error("\(error); \(save.events.count) alert events not published")
                }
                save.stored?([])
            }
        case .success(let outcome):
            if outcome.failedAttempts > 0 {
                logger.notice(
                    "alert store \(storeLocation): reachable again after \(outcome.failedAttempts) failed attempts; \(batch.reduce(0) { $0 + $1.events.count }) buffered alert events stored"
                )
            }
            // The alarm state is the store's (an acknowledgement made since the engine's record).
            var alarms: [String: AlertRecord] = [:]
            for a in outcome.stored { alarms[a.id] = a }
            for save in batch {
                let events = save.events.map { e -> FluxionAlerts.AlertEvent in
                    guard let stored = alarms[e.alert.id] else { return e }
                    var e = e
                    e.alert.acknowledgement = stored.acknowledgement
                    e.alert.shelving = stored.shelving
                    return e
                }
                published(events, save.stored)
            }
        }
        flush()
    }

    private func published(_ events: [FluxionAlerts.AlertEvent], _ stored: (([FluxionAlerts.AlertEvent]) -> Void)?) {
        for e in events where e.kind != .updated {
            logger.info(
                "alert \(e.alert.id) \(e.kind.rawValue): \(e.alert.detector) p=\(e.alert.probability) \(e.alert.pipeID ?? "-")@\(e.alert.positionM.map { "\($0.rounded())" } ?? "-") m station \(e.alert.stationID ?? "-") leak \(e.alert.matchedLeakID ?? "-")"
            )
        }
        fanout.publish(events)
        for hook in onPublished { hook(events) }
        stored?(events)
    }

    /// Changes other servers committed to the shared store (loop thread): streamed like local
    /// events, whose filter decides (`AlertFilter.networks`).
    private func relayed(_ records: [AlertRecord]) {
        relayedChanges += records.count
        fanout.publish(
            records.map { FluxionAlerts.AlertEvent(kind: $0.state == .cleared ? .cleared : .updated, alert: $0) })
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
            guard size <= AlertQuery.maxPageSize else {
                throw .invalidArgument("page_size: at most \(AlertQuery.maxPageSize), got \(request.pageSize)")
            }
            let token = request.pageToken
            return { store throws(AlertStoreError) in try store.query(query, pageSize: size, pageToken: token) }
        } answer: { (_, page: AlertPage) in
            let now = WallTime.nowUnixNs()
            return Wire.QueryAlertsResponse(
                alerts: page.alerts.map { Wire.Alert($0, atWallUnixNs: now) },
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
            case .network: grouping = .network
            case .unspecified, .unrecognized:
                throw .invalidArgument(
                    "group_by: must be station, hour of day, detector or network, got \(request.groupBy)")
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

import FluxionAlerts
import FluxionDetectorKit
import FluxionWire
import Logging

/// Serves alerts: turns detector signals into alerts (`ingest`), stores them, streams them
/// (StreamAlerts) and answers QueryAlerts and AggregateAlerts. Loop thread only, like every
/// service the `Server` owns.
///
/// ```
///  detector host ──ingest([AlertSignal])──▶ AlertEngine ──events──▶ AlertStore.save (fsync)
///                                              ▲                           │ then, only then
///                      TwinService.leakEvents ─┘ (matching)                ▼
///                                                             AlertFanout ──▶ StreamAlerts calls
///  QueryAlerts / AggregateAlerts ─────────────────────────────▶ AlertStore (SQL)
/// ```
///
/// An event is published only after the store has committed it: a client is never told of an
/// alert that a crash could lose. If the store fails, the events of that call are logged and
/// not published (`storeFailures` counts them); the engine's next event for the same alert
/// writes the whole alert again, so the store catches up.
public final class AlertService {
    public let store: AlertStore
    private var engine: AlertEngine
    private let fanout: AlertFanout
    private weak var twin: TwinService?
    private var logger: Logger
    /// `ingest` calls whose events could not be stored (and so were not published).
    public private(set) var storeFailures = 0

    /// Registers QueryAlerts, AggregateAlerts and StreamAlerts on `server` and keeps itself
    /// alive in `server.services`. Alerts that a previous run left raised are closed first
    /// (their engine state is gone; see `AlertStore.closeOrphans`).
    /// - Parameters:
    ///   - store: the open store; this service owns it from now on (loop thread only).
    ///   - network: pipes and stations, for the nearest station and segment
    ///     (`AlertService.networkDescription(of:)` builds it from a twin topology).
    ///   - twin: when present, alerts are matched to the leaks it injected.
    public init(
        server: Server, store: AlertStore, network: NetworkDescription? = nil, twin: TwinService? = nil,
        configuration: AlertEngine.Configuration = AlertEngine.Configuration()
    ) throws(AlertStoreError) {
        self.store = store
        let closed = try store.closeOrphans(wallUnixNs: wallUnixNs())
        engine = AlertEngine(configuration: configuration, locator: network.map(NetworkLocator.init) ?? .empty) {
            store.reserveID()
        }
        fanout = AlertFanout(logger: server.logger)
        self.twin = twin
        logger = server.logger
        if closed > 0 {
            logger.notice("alert store \(store.path): closed \(closed) alerts left raised by the previous run")
        }
        server.services.append(self)
        register(server.router)
        server.onShutdown.append { [unowned self] in fanout.endAll(.unavailable, "server is shutting down") }
    }

    /// Feeds one tick's (or several ticks') detector signals, in order. Loop thread only: the
    /// detector host hands results to the loop (uv_async) and calls this there.
    ///
    /// Raised, updated and cleared alerts are saved (one transaction, durable on return) and
    /// then streamed to StreamAlerts subscribers.
    /// - Returns: the events, after they were stored (empty if nothing changed or storing failed).
    @discardableResult
    public func ingest(_ signals: [AlertSignal]) -> [AlertEvent] {
        guard !signals.isEmpty else { return [] }
        let leaks = twin.map { Self.leakReferences($0.leakEvents) } ?? []
        return persistAndPublish(engine.process(signals, leaks: leaks))
    }

    /// Saves `events` (one transaction), then logs and publishes them; nothing is published if
    /// the save fails.
    private func persistAndPublish(_ events: [AlertEvent]) -> [AlertEvent] {
        guard !events.isEmpty else { return [] }
        do {
            try store.save(events.map(\.alert))
        } catch {
            storeFailures += 1
            logger.error("\(error); \(events.count) alert events not published")
            return []
        }
        for e in events where e.kind != .updated {
            logger.info(
                "alert \(e.alert.id) \(e.kind.rawValue): \(e.alert.detector) p=\(e.alert.probability) \(e.alert.pipeID ?? "-")@\(e.alert.positionM.map { "\($0.rounded())" } ?? "-") m station \(e.alert.stationID ?? "-") leak \(e.alert.matchedLeakID ?? "-")"
            )
        }
        fanout.publish(events)
        return events
    }

    /// Call when a detector is unloaded or swapped out (loop thread): its raised alert, if any,
    /// is cleared at `simTimeS` (the twin's current sim time), stored, then streamed.
    /// - Returns: the cleared event, after it was stored (nil if none, or storing failed).
    @discardableResult
    public func removeDetector(_ detector: String, simTimeS: Double) -> AlertEvent? {
        guard let event = engine.removeDetector(detector, simTimeS: simTimeS, wallTimeUnixNs: wallUnixNs()) else {
            return nil
        }
        return persistAndPublish([event]).first
    }

    /// Alerts raised now, by detector.
    public var raisedAlerts: [String: AlertRecord] { engine.raisedAlerts }

    /// StreamAlerts calls open now.
    public var subscriberCount: Int { fanout.count }

    private func register(_ router: Router) {
        router.unary(Wire.Fluxion.queryAlerts) {
            [unowned self] (request: Wire.QueryAlertsRequest, _) throws(RPCError) in
            let query = try (request.filter ?? Wire.AlertFilter()).query()
            let size = request.pageSize == 0 ? 100 : Int(request.pageSize)
            guard size <= AlertStore.maxPageSize else {
                throw .invalidArgument("page_size: at most \(AlertStore.maxPageSize), got \(request.pageSize)")
            }
            do throws(AlertStoreError) {
                let page = try store.query(query, pageSize: size, pageToken: request.pageToken)
                return Wire.QueryAlertsResponse(
                    alerts: page.alerts.map(Wire.Alert.init),
                    nextPageToken: page.nextPageToken ?? "", totalCount: UInt64(page.totalCount))
            } catch {
                throw error.rpcError
            }
        }
        router.unary(Wire.Fluxion.aggregateAlerts) {
            [unowned self] (request: Wire.AggregateAlertsRequest, _) throws(RPCError) in
            let query = try (request.filter ?? Wire.AlertFilter()).query()
            let grouping: AlertGrouping
            switch request.groupBy {
            case .station: grouping = .station
            case .hourOfDay: grouping = .hourOfDay
            case .detector: grouping = .detector
            case .unspecified, .unrecognized:
                throw .invalidArgument("group_by: must be station, hour of day or detector, got \(request.groupBy)")
            }
            do throws(AlertStoreError) {
                let buckets = try store.aggregate(query, by: grouping)
                return Wire.AggregateAlertsResponse(
                    buckets: buckets.map {
                        Wire.AlertBucket(
                            key: $0.key, count: UInt64($0.count), meanProbability: $0.meanProbability,
                            maxProbability: $0.maxProbability)
                    })
            } catch {
                throw error.rpcError
            }
        }
        router.serverStreaming(Wire.Fluxion.streamAlerts) {
            [unowned self] (request: Wire.StreamAlertsRequest, call) throws(RPCError) in
            fanout.add(call, query: try (request.filter ?? Wire.AlertFilter()).query())
        }
    }
}

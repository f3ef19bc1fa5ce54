import FluxionAlerts
import FluxionWire
import Logging

/// Delivers alert events to every StreamAlerts call whose filter they pass. Loop thread only.
///
/// Slow clients: unlike readings, alert events are never skipped silently. When a call's
/// connection has more queued than the server's stream backlog limit, the call ends with
/// RESOURCE_EXHAUSTED, naming the sim time from which to catch up with QueryAlerts (every
/// event was stored before it was offered). A slow client never delays the others, and its
/// memory is bounded by the backlog limit.
final class AlertFanout {
    private struct Subscriber {
        let call: ServerCall
        let query: AlertQuery
    }

    private var subscribers: [ObjectIdentifier: Subscriber] = [:]
    private var logger: Logger
    /// Events handed to connections, for tests and health figures.
    private(set) var eventsDelivered: UInt64 = 0

    init(logger: Logger) {
        self.logger = logger
    }

    var count: Int { subscribers.count }

    func add(_ call: ServerCall, query: AlertQuery) {
        let key = ObjectIdentifier(call)
        subscribers[key] = Subscriber(call: call, query: query)
        call.onCancel = { [weak self] in self?.subscribers.removeValue(forKey: key) }
    }

    /// Ends every stream (server shutdown).
    func endAll(_ status: Wire.StatusCode, _ message: String) {
        let all = subscribers.values
        subscribers.removeAll()
        for sub in all { sub.call.finish(status, message) }
    }

    /// When to judge the alert before an alarm change: now, or, for a shelving that ran out,
    /// just before its end (it was shelved then).
    private static func justBefore(_ previous: AlertRecord, _ now: Int64) -> Int64 {
        guard let until = previous.shelving?.untilWallUnixNs, until <= now else { return now }
        return until - 1
    }

    /// Offers `events` (already durable) to every subscriber, in order. An alarm event (it has
    /// the alert before the change) goes to a subscriber whose filter the alert passed before
    /// or passes after, so that one following, say, unacknowledged alerts sees one leave.
    func publish(_ events: [AlertEvent]) {
        guard !subscribers.isEmpty else { return }
        let now = WallTime.nowUnixNs()
        for event in events {
            var payload: [UInt8]?
            for (key, sub) in subscribers
            where sub.query.matches(event.alert, atWallUnixNs: now)
                || event.previous.map({ sub.query.matches($0, atWallUnixNs: Self.justBefore($0, now)) }) == true
            {
                let bytes = payload ?? Wire.AlertEvent(event, atWallUnixNs: now).encoded()
                payload = bytes
                switch sub.call.send(bytes) {
                case .sent:
                    eventsDelivered &+= 1
                case .backlogged:
                    subscribers.removeValue(forKey: key)
                    logger.info("alert stream call \(sub.call.id) ended: client backlog \(sub.call.backlogBytes) bytes")
                    sub.call.finish(
                        .resourceExhausted,
                        """
                        client read too slowly: alert event for \(event.alert.id) could not be queued; \
                        catch up with QueryAlerts from raised sim time \(event.alert.raisedSimTimeS) s
                        """)
                case .closed:
                    subscribers.removeValue(forKey: key)
                }
            }
        }
    }
}

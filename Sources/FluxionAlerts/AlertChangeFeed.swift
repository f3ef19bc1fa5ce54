/// The changes that other writers commit to a shared alert store, in the order they commit
/// (`PostgresAlertFeed`). A server relays them to its StreamAlerts clients beside the events of
/// its own engine, which it publishes itself.
///
/// Contract: every change committed by another writer after the feed was opened is returned
/// once, as the row's state when it was read: an alert changed several times before the feed
/// read it (a connection lost meanwhile, a burst) comes once, in its latest state; the states
/// returned for one alert never go back (its revision only grows). A lost connection is
/// `.unavailable` from `next`; the next call reconnects and returns what changed meanwhile.
///
/// One thread at a time (not the loop thread: `next` waits).
public protocol AlertChangeFeed: AnyObject {
    /// The changes that arrived, waiting up to `timeoutS` for the first when none has; [] when
    /// nothing changed in that time.
    func next(timeoutS: Double) throws(AlertStoreError) -> [AlertRecord]
    /// How many times the feed has caught up after a gap (a reconnect, or a read that failed).
    var catchUps: Int { get }
    func close()
}

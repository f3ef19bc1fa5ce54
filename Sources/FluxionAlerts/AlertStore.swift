/// Where alerts are kept: written before anyone is told of them, queried with filters and
/// paging, aggregated. Two implementations pass the same test suite
/// (`Tests/FluxionAlertsTests/AlertStoreSuite.swift`):
///
/// - `SQLiteAlertStore`: one file under fluxiond's data directory, the embedded default.
/// - `PostgresAlertStore`: one PostgreSQL database shared by many fluxiond, one per network.
///
/// A store is opened for one **network** (the shard id stamped on every alert its server
/// raises; "" for the only one): ids are handed out and orphans closed within that network,
/// while queries and aggregates cover every network unless the query names some.
///
/// Threads: one thread at a time uses a store (in fluxiond an `AlertStoreThread`, never the
/// loop thread), except `reserveID`, which any thread may call (the alert engine reserves ids
/// on the loop thread while the writer saves).
public protocol AlertStore: AnyObject {
    /// Where the store lives, for messages: a file path, or a PostgreSQL address without its
    /// password.
    var location: String { get }
    /// The network this store writes for.
    var network: String { get }

    /// A new alert id (`ALR-<n>`), unique within the network across restarts. Any thread.
    func reserveID() -> String
    /// Inserts or updates (by network and id) the alerts in one transaction; durable when it
    /// returns. Saving the same values again changes nothing, so a save whose outcome was not
    /// known (the connection dropped during the commit) can simply be repeated.
    ///
    /// The alarm state (acknowledgement, shelving) of an alert already stored is kept: only
    /// `applyAlarm` changes it (a record's alarm fields count only when it is inserted), except
    /// that a one-shot shelving ends when the alert is saved cleared. Returns the alerts as
    /// stored, i.e. with the stored alarm state, in the order given.
    @discardableResult func save(_ alerts: [AlertRecord]) throws(AlertStoreError) -> [AlertRecord]
    /// Applies an alarm action to alert `alertID` of `network` at wall time `now`, in one
    /// transaction (an UPDATE of the alert's row), and returns the event: the alert before and
    /// after, who did it. Nil when there was nothing to change (`expireShelving` of a shelving
    /// already ended or replaced). Throws `.alertNotFound`, `.alarmRefused`.
    func applyAlarm(
        _ action: AlarmAction, alertID: String, network: String, atWallUnixNs now: Int64
    ) throws(AlertStoreError) -> AlertEvent?
    /// Alerts of this network left raised by a previous run (its engine state died with it) are
    /// closed as cleared at their last update's sim time and at `wallUnixNs`. Returns how many.
    @discardableResult func closeOrphans(wallUnixNs: Int64) throws(AlertStoreError) -> Int
    /// One alert of this network by id.
    func alert(id: String) throws(AlertStoreError) -> AlertRecord?
    /// How many alerts the store holds (every network).
    func count() throws(AlertStoreError) -> Int
    /// One page of the alerts matching `query`, oldest raise first (raise sim time, then the
    /// store's sequence).
    /// - Parameters:
    ///   - pageSize: 1…`AlertQuery.maxPageSize`.
    ///   - pageToken: nil or empty for the first page, else `nextPageToken` of the previous
    ///     page of the same query.
    func query(_ query: AlertQuery, pageSize: Int, pageToken: String?) throws(AlertStoreError) -> AlertPage
    /// Count, mean and max peak probability of the alerts matching `query`, per group, in key order.
    func aggregate(_ query: AlertQuery, by grouping: AlertGrouping) throws(AlertStoreError) -> [AlertBucketSummary]
    /// Another connection to the same store and network (fluxiond's reader thread).
    func reopen() throws(AlertStoreError) -> any AlertStore
    /// The changes other servers commit to this store, as they commit (its own connection,
    /// used on one thread, never the loop thread); nil for a store only this server writes
    /// (SQLite: one network, whose changes its server publishes itself).
    func changeFeed() throws(AlertStoreError) -> (any AlertChangeFeed)?
    func close()
}

extension AlertStore {
    public func changeFeed() throws(AlertStoreError) -> (any AlertChangeFeed)? { nil }

    /// Saves one alert; returns it as stored.
    @discardableResult
    public func save(_ alert: AlertRecord) throws(AlertStoreError) -> AlertRecord { try save([alert])[0] }

    public func query(_ query: AlertQuery, pageSize: Int = 100) throws(AlertStoreError) -> AlertPage {
        try self.query(query, pageSize: pageSize, pageToken: nil)
    }

    /// The sequence number in an id of the form `ALR-<n>`.
    static func idNumber(of id: String) -> Int64? {
        guard id.hasPrefix("ALR-"), let n = Int64(id.dropFirst(4)), n > 0 else { return nil }
        return n
    }
}

/// Rules for network ids (they go into every alert and into log lines).
public enum AlertNetwork {
    /// The longest network id, bytes.
    public static let maxLength = 64

    /// Why `name` is not a usable network id, or nil if it is. "" is allowed: the only network.
    public static func problem(_ name: String) -> String? {
        guard name.utf8.count <= maxLength else { return "at most \(maxLength) characters, got \(name.utf8.count)" }
        let allowed = name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || "-_.".unicodeScalars
                    .contains($0)
        }
        return allowed ? nil : "only letters, digits, '-', '_' and '.', got \"\(name)\""
    }
}

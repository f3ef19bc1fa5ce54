import Foundation

/// The alert changes other servers commit to a shared PostgreSQL store, live, through
/// LISTEN/NOTIFY (schema version 3): the `alerts` table's trigger sends, for every row inserted
/// or changed, `{"network","id","revision","origin"}` on the channel `fluxion_alerts`; this feed
/// listens on its own connection, reads the rows named and returns them (see `AlertChangeFeed`
/// for the contract).
///
/// ```
///  writer of network B: UPSERT ─▶ BEFORE trigger: revision+1, changed_xid, origin=B
///                                 AFTER trigger:  pg_notify(fluxion_alerts, {network,id,revision,origin})
///  this feed (network A): LISTEN ─▶ skip origin A (A's own writes: A publishes them itself)
///                                 ─▶ skip revisions already returned ─▶ SELECT the rows ─▶ records
/// ```
///
/// **No change lost across a gap.** A notification sent while the connection is down is gone;
/// so after every reconnect the feed LISTENs again, then reads every row whose last change was
/// made by a transaction at or after the *watermark* W. W is a transaction id below which every
/// transaction had finished and had its change read by this feed:
/// - at open: W = the oldest transaction still running (`pg_snapshot_xmin`) before the first
///   LISTEN; every transaction that commits after the LISTEN is notified, and its id is ≥ W;
/// - after a catch-up: W = the oldest transaction running before the catch-up query (all older
///   ones had committed before it, so it saw their rows);
/// - while connected, once a second, a *fence*: the feed takes X = the oldest running
///   transaction and, in the same transaction, notifies itself on a private channel. Queue order
///   is commit order, so when the fence comes back every transaction below X (finished before
///   the fence was queued) has had its notification delivered before it, and read: W = X.
///
/// **No change twice, none out of order.** Each row carries a revision that grows with every
/// change (per alert); the feed remembers the last revision it returned per alert and returns a
/// row only with a higher one. Entries whose change is below W are forgotten (a row last
/// changed below W is never new again), so memory follows the alerts changed in the last
/// second or so, not the table. Updates that change nothing are dropped by the trigger, so a
/// writer repeating a save after a lost commit creates no second revision.
///
/// **Own writes.** Rows whose last change came from a session of this server's network
/// (`origin`) are skipped: the server publishes its engine's events itself, after each commit.
public final class PostgresAlertFeed: AlertChangeFeed {
    /// The channel the trigger notifies on.
    public static let channel = "fluxion_alerts"
    /// How often the watermark is advanced (and the connection checked), s.
    static let fenceIntervalS = 1.0
    static let fenceTimeoutS = 30.0
    /// The most alerts read per query.
    static let maxKeysPerRead = 1000

    /// This server's network: rows it changed itself are skipped.
    public let network: String
    public var location: String { connection.location }
    public private(set) var catchUps = 0
    private let connection: PostgresConnection
    private var listening = -1
    private var fenceChannel = ""
    private var watermark: UInt64 = 0
    private var delivered: [Key: Stamp] = [:]
    private var fence: (token: String, xmin: UInt64)?
    private var fenceCount = 0
    private var lastFence = ContinuousClock.now

    private struct Key: Hashable {
        let network: String
        let id: String
    }

    private struct Stamp {
        let revision: Int64
        let xid: UInt64
    }

    /// Connects (its own session, application name `fluxiond-relay`) and starts listening.
    public init(url: String, network: String) throws(AlertStoreError) {
        self.network = network
        connection = try PostgresConnection(url: url, applicationName: "fluxiond-relay")
        var xmin: UInt64 = 0
        try connection.query("SELECT pg_snapshot_xmin(pg_current_snapshot())::text") { xmin = UInt64($0.text(0)) ?? 0 }
        watermark = xmin
        try listen()
    }

    public func close() { connection.close() }

    /// Alerts whose changes are remembered now (bounded by the changes of the last fence).
    public var remembered: Int { delivered.count }

    public func next(timeoutS: Double) throws(AlertStoreError) -> [AlertRecord] {
        try connection.ensureConnected()
        var out: [AlertRecord] = []
        if connection.generation != listening {
            do {
                try listen()
                out = try catchUp()
            } catch {
                listening = -1
                throw error
            }
            // Returned at once: nothing after this may lose them.
            if !out.isEmpty { return out }
        }
        // A fence not back after `fenceTimeoutS` (it cannot be lost on a live session; this is
        // a safety net) is sent again.
        if fence != nil, ContinuousClock.now - lastFence >= .seconds(Self.fenceTimeoutS) { fence = nil }
        if fence == nil, ContinuousClock.now - lastFence >= .seconds(Self.fenceIntervalS) { try sendFence() }
        let notes = try connection.notifications(waitingUpTo: out.isEmpty ? timeoutS : 0)
        do {
            out += try process(notes)
        } catch {
            // The notifications taken are not all read: catch up on the next call.
            listening = -1
            throw error
        }
        return out
    }

    /// LISTENs on the shared channel and on a private one for fences (a fence sent before a
    /// reconnect is void).
    private func listen() throws(AlertStoreError) {
        fence = nil
        fenceChannel = "fluxion_fence_\(connection.backendPID)"
        try connection.execute("LISTEN \(Self.channel); LISTEN \(fenceChannel)")
        listening = connection.generation
    }

    /// Everything changed at or after the watermark that was not returned yet.
    private func catchUp() throws(AlertStoreError) -> [AlertRecord] {
        var xmin: UInt64 = 0
        try connection.query("SELECT pg_snapshot_xmin(pg_current_snapshot())::text") { xmin = UInt64($0.text(0)) ?? 0 }
        var rows: [StampedRow] = []
        try connection.query(
            "SELECT \(Self.selectColumns) FROM alerts WHERE changed_xid >= ?::xid8 ORDER BY changed_xid, seq",
            [.text(String(watermark))]
        ) { rows.append(StampedRow($0)) }
        // Only once every row is in hand: a read that fails remembers nothing.
        let out = rows.compactMap(accept)
        catchUps += 1
        advance(to: xmin)
        return out
    }

    private func sendFence() throws(AlertStoreError) {
        fenceCount += 1
        let token = String(fenceCount)
        var xmin: UInt64 = 0
        try connection.query(
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text, pg_notify(?, ?)",
            [.text(fenceChannel), .text(token)]
        ) { xmin = UInt64($0.text(0)) ?? 0 }
        fence = (token, xmin)
        lastFence = .now
    }

    private func advance(to xmin: UInt64) {
        guard xmin > watermark else { return }
        watermark = xmin
        delivered = delivered.filter { $0.value.xid >= xmin }
    }

    /// Reads the rows the notifications name (those not known already), in notification order.
    private func process(_ notes: [PostgresNotification]) throws(AlertStoreError) -> [AlertRecord] {
        var wanted: [Key] = []
        var seen = Set<Key>()
        var fenceXmin: UInt64?
        for note in notes {
            if note.channel == fenceChannel {
                if let f = fence, note.payload == f.token {
                    fenceXmin = f.xmin
                    fence = nil
                }
                continue
            }
            guard note.channel == Self.channel, let change = Self.change(note.payload) else { continue }
            if change.origin == network { continue }
            if let d = delivered[change.key], d.revision >= change.revision { continue }
            if seen.insert(change.key).inserted { wanted.append(change.key) }
        }
        var rows: [Key: StampedRow] = [:]
        var start = 0
        while start < wanted.count {
            let keys = Array(wanted[start..<min(start + Self.maxKeysPerRead, wanted.count)])
            start += keys.count
            try connection.query(
                """
                SELECT \(Self.selectColumns) FROM alerts
                WHERE (network, alert_id) IN (SELECT * FROM unnest(?::text[], ?::text[]))
                """, [.text(Self.arrayLiteral(keys.map(\.network))), .text(Self.arrayLiteral(keys.map(\.id)))]
            ) { row in
                let r = StampedRow(row)
                rows[Key(network: r.record.network, id: r.record.id)] = r
            }
        }
        // Only once every row is in hand (a read that fails remembers nothing), in order.
        let out = wanted.compactMap { rows[$0] }.compactMap(accept)
        // Only now: every change the fence stands for has been read.
        if let fenceXmin { advance(to: fenceXmin) }
        return out
    }

    /// A row of `selectColumns`: the record and what the trigger stamped on it.
    private struct StampedRow {
        let record: AlertRecord
        let revision: Int64
        let xid: UInt64
        let origin: String

        init(_ row: any SQLRow) {
            record = PostgresAlertStore.record(row)
            revision = row.int(PostgresAlertFeed.stampColumn)
            xid = UInt64(row.text(PostgresAlertFeed.stampColumn + 1)) ?? 0
            origin = row.text(PostgresAlertFeed.stampColumn + 2)
        }
    }

    /// The row's record if it is new to this feed, remembering it.
    private func accept(_ row: StampedRow) -> AlertRecord? {
        guard row.origin != network else { return nil }
        let key = Key(network: row.record.network, id: row.record.id)
        if let d = delivered[key] {
            guard row.revision > d.revision else { return nil }
        } else {
            // Not remembered: either returned and forgotten (its change is below the
            // watermark), or changed before the feed opened.
            guard row.xid >= watermark else { return nil }
        }
        delivered[key] = Stamp(revision: row.revision, xid: row.xid)
        return row.record
    }

    /// The record's columns, then revision, changed_xid, origin.
    private static var selectColumns: String {
        PostgresAlertStore.columns + ", revision, changed_xid::text, origin"
    }
    /// Where revision is in a row of `selectColumns` (after however many columns a record has).
    private static let stampColumn = Int32(PostgresAlertStore.columns.split(separator: ",").count)

    private static func change(_ payload: String) -> (key: Key, revision: Int64, origin: String)? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any],
            let network = object["network"] as? String, let id = object["id"] as? String,
            let revision = (object["revision"] as? NSNumber)?.int64Value
        else { return nil }
        return (Key(network: network, id: id), revision, object["origin"] as? String ?? "")
    }

    /// A PostgreSQL array literal of text: every item quoted, `"` and `\` escaped.
    static func arrayLiteral(_ items: [String]) -> String {
        "{"
            + items.map {
                "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                    + "\""
            }.joined(separator: ",") + "}"
    }
}

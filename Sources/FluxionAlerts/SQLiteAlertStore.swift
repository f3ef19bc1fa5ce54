import Synchronization

/// Alerts in an SQLite file, the embedded default store (see `AlertStore` for the contract).
///
/// Durability: WAL journal with `synchronous=FULL`, so `save` returns only after the WAL
/// frame holding the commit has been fsync'd. An alert that `save` returned for survives a
/// kill -9 of the process and a power cut. (NORMAL would survive kill -9 but could lose the
/// last commits on power loss, and the contract is "no alert a client saw is ever lost".)
///
/// Schema (version in `PRAGMA user_version`, migrated forward on open; a newer version than
/// this build knows is refused):
///
/// ```
/// alerts(seq INTEGER PRIMARY KEY,         -- the number in the id "ALR-<seq>"; paging tie-break
///        alert_id TEXT UNIQUE, detector, state (1 raised, 2 cleared),
///        raised_sim_s, raised_wall_ns, cleared_sim_s?, cleared_wall_ns?, updated_sim_s,
///        probability (peak), severity (1…4), pipe_id?, position_m?, station_id?,
///        segment_id?, size_fraction?, matched_leak_id?, hour_of_day (0…23, of raised_sim_s),
///        network (v2; "" for alerts of version 1),
///        acked_operator?, acked_token?, acked_wall_ns?, ack_comment?, shelve_kind? (1 timed, 2 one-shot),
///        shelved_until_ns?, shelve_reason?, shelved_operator?, shelved_token?, shelved_wall_ns? (v3))
/// indexes: (raised_sim_s, seq), (detector, raised_sim_s), (station_id, raised_sim_s),
///          (network, raised_sim_s) (v2)
/// ```
///
/// Ids are unique in the file (not only in the network): the sequence is the primary key.
public final class SQLiteAlertStore: SQLAlertStore {
    /// The schema version this build writes.
    public static let schemaVersion = 3
    /// The file name under a data directory.
    public static let fileName = "alerts.sqlite3"

    public var path: String { db.path }
    public var location: String { db.path }
    public let network: String
    let db: SQLiteDatabase
    /// The largest sequence handed out or stored (`reserveID` from any thread, `save` on the
    /// store's thread).
    private let lastSequence = Mutex<Int64>(0)

    /// Opens (creating if needed) the store at `path`, writing for `network`.
    public init(path: String, network: String = "") throws(AlertStoreError) {
        self.network = network
        db = try SQLiteDatabase(path: path)
        try db.execute("PRAGMA journal_mode=WAL")
        try db.execute("PRAGMA synchronous=FULL")
        try migrate()
        var stored: Int64 = 0
        try db.query("SELECT COALESCE(MAX(seq), 0) FROM alerts") { row in stored = row.int(0) }
        lastSequence.withLock { $0 = stored }
    }

    /// Opens the store file in `directory` (which must exist).
    public convenience init(directory: String, network: String = "") throws(AlertStoreError) {
        try self.init(
            path: directory.hasSuffix("/") ? directory + Self.fileName : directory + "/" + Self.fileName,
            network: network)
    }

    public func reopen() throws(AlertStoreError) -> any AlertStore {
        try SQLiteAlertStore(path: path, network: network)
    }

    public func close() { db.close() }

    var hourKeySQL: String { "printf('%02d', hour_of_day)" }
    var lockRowSQL: String { "" }

    func runOnce(
        _ sql: String, _ bindings: [SQLValue], row: (any SQLRow) throws(AlertStoreError) -> Void
    ) throws(AlertStoreError) {
        try run(sql, bindings, row: row)
    }

    func inTransaction<T>(_ body: () throws(AlertStoreError) -> T) throws(AlertStoreError) -> T {
        try db.transaction(body)
    }

    func run(
        _ sql: String, _ bindings: [SQLValue], row: (any SQLRow) throws(AlertStoreError) -> Void
    )
        throws(AlertStoreError)
    {
        try db.query(sql, bindings) { (r: SQLiteRow) throws(AlertStoreError) in try row(r) }
    }

    /// Migrations, index i brings the schema from version i to i + 1.
    private static let migrations: [String] = [
        """
        CREATE TABLE alerts(
            seq INTEGER PRIMARY KEY,
            alert_id TEXT NOT NULL UNIQUE,
            detector TEXT NOT NULL,
            state INTEGER NOT NULL,
            raised_sim_s REAL NOT NULL,
            raised_wall_ns INTEGER NOT NULL,
            cleared_sim_s REAL,
            cleared_wall_ns INTEGER,
            updated_sim_s REAL NOT NULL,
            probability REAL NOT NULL,
            severity INTEGER NOT NULL,
            pipe_id TEXT,
            position_m REAL,
            station_id TEXT,
            segment_id TEXT,
            size_fraction REAL,
            matched_leak_id TEXT,
            hour_of_day INTEGER NOT NULL);
        CREATE INDEX alerts_by_raise ON alerts(raised_sim_s, seq);
        CREATE INDEX alerts_by_detector ON alerts(detector, raised_sim_s);
        CREATE INDEX alerts_by_station ON alerts(station_id, raised_sim_s);
        """,
        """
        ALTER TABLE alerts ADD COLUMN network TEXT NOT NULL DEFAULT '';
        CREATE INDEX alerts_by_network ON alerts(network, raised_sim_s);
        """,
        """
        ALTER TABLE alerts ADD COLUMN acked_operator TEXT;
        ALTER TABLE alerts ADD COLUMN acked_token TEXT;
        ALTER TABLE alerts ADD COLUMN acked_wall_ns INTEGER;
        ALTER TABLE alerts ADD COLUMN ack_comment TEXT;
        ALTER TABLE alerts ADD COLUMN shelve_kind INTEGER;
        ALTER TABLE alerts ADD COLUMN shelved_until_ns INTEGER;
        ALTER TABLE alerts ADD COLUMN shelve_reason TEXT;
        ALTER TABLE alerts ADD COLUMN shelved_operator TEXT;
        ALTER TABLE alerts ADD COLUMN shelved_token TEXT;
        ALTER TABLE alerts ADD COLUMN shelved_wall_ns INTEGER;
        """,
    ]

    private func migrate() throws(AlertStoreError) {
        var version = 0
        try db.query("PRAGMA user_version") { row in version = Int(row.int(0)) }
        guard version <= Self.schemaVersion else {
            throw .schemaTooNew(path: db.path, found: version, supported: Self.schemaVersion)
        }
        guard version < Self.schemaVersion else { return }
        try db.transaction { () throws(AlertStoreError) in
            for step in version..<Self.schemaVersion { try db.execute(Self.migrations[step]) }
            try db.execute("PRAGMA user_version=\(Self.schemaVersion)")
        }
    }

    /// A new alert id, never handed out before by this file (ids of alerts reserved but not
    /// saved before a crash are not reused either within a run; across a restart they may be,
    /// which is harmless as no one saw them).
    public func reserveID() -> String {
        let n = lastSequence.withLock { n -> Int64 in
            n += 1
            return n
        }
        return "ALR-\(n)"
    }

    /// Inserts or updates (by id) the alerts in one transaction (one fsync); durable when it returns.
    @discardableResult
    public func save(_ alerts: [AlertRecord]) throws(AlertStoreError) -> [AlertRecord] {
        guard !alerts.isEmpty else { return [] }
        if alerts.count == 1 { return [try upsert(alerts[0])] }
        return try db.transaction { () throws(AlertStoreError) -> [AlertRecord] in
            var stored: [AlertRecord] = []
            for a in alerts { stored.append(try upsert(a)) }
            return stored
        }
    }

    private static let insertSQL = """
        INSERT INTO alerts(seq, \(upsertColumns))
        VALUES(\(upsertPlaceholders))
        ON CONFLICT(alert_id) DO NOTHING
        """
    private static let updateSQL = updateSQL(key: "alert_id = ?", clearing: false)
    private static let clearSQL = updateSQL(key: "alert_id = ?", clearing: true)

    /// Inserts `a`, or updates it when its id is stored (see `SQLAlertStore.updateSQL`); returns
    /// it with the stored alarm state.
    private func upsert(_ a: AlertRecord) throws(AlertStoreError) -> AlertRecord {
        let seq: SQLValue = Self.idNumber(of: a.id).map { .int($0) } ?? .null
        try db.query(Self.insertSQL, [seq] + Self.upsertValues(a))
        var result = a
        if db.changes == 0 {
            try db.query(a.state == .cleared ? Self.clearSQL : Self.updateSQL, Self.updateValues(a) + [.text(a.id)]) {
                row in result = Self.stored(a, row)
            }
        }
        var stored = Self.idNumber(of: a.id) ?? 0
        if stored == 0 {
            // An id not made by `reserveID` got the next rowid: keep reserved ids above it.
            try db.query("SELECT seq FROM alerts WHERE alert_id = ?", [.text(a.id)]) { row in stored = row.int(0) }
        }
        lastSequence.withLock { $0 = max($0, stored) }
        return result
    }

    @discardableResult
    public func closeOrphans(wallUnixNs: Int64) throws(AlertStoreError) -> Int {
        try db.query(
            """
            UPDATE alerts SET state = 2, cleared_sim_s = updated_sim_s, cleared_wall_ns = ?, \(Self.endOneShotShelving)
            WHERE state = 1 AND network = ?
            """, [.int(wallUnixNs), .text(network)])
        var n = 0
        try db.query("SELECT changes()") { row in n = Int(row.int(0)) }
        return n
    }
}

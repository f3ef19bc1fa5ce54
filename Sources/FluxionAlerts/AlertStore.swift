import Synchronization

/// Alerts in an SQLite file: written before anyone is told of them, queried with filters and
/// paging, aggregated. One thread at a time uses a store (in fluxiond the alert store's writer
/// thread, never the loop thread), except `reserveID`, which any thread may call (the alert
/// engine reserves ids on the loop thread while the writer saves).
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
///        segment_id?, size_fraction?, matched_leak_id?, hour_of_day (0…23, of raised_sim_s))
/// indexes: (raised_sim_s, seq), (detector, raised_sim_s), (station_id, raised_sim_s)
/// ```
public final class AlertStore {
    /// The schema version this build writes.
    public static let schemaVersion = 1
    /// The file name under a data directory.
    public static let fileName = "alerts.sqlite3"

    public var path: String { db.path }
    let db: SQLiteDatabase
    /// The largest sequence handed out or stored (`reserveID` from any thread, `save` on the
    /// store's thread).
    private let lastSequence = Mutex<Int64>(0)

    /// Opens (creating if needed) the store at `path`.
    public init(path: String) throws(AlertStoreError) {
        db = try SQLiteDatabase(path: path)
        try db.execute("PRAGMA journal_mode=WAL")
        try db.execute("PRAGMA synchronous=FULL")
        try migrate()
        var stored: Int64 = 0
        try db.query("SELECT COALESCE(MAX(seq), 0) FROM alerts") { row in stored = row.int(0) }
        lastSequence.withLock { $0 = stored }
    }

    /// Opens the store file in `directory` (which must exist).
    public convenience init(directory: String) throws(AlertStoreError) {
        try self.init(path: directory.hasSuffix("/") ? directory + Self.fileName : directory + "/" + Self.fileName)
    }

    public func close() { db.close() }

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
        """
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

    /// Inserts or updates (by id) one alert; durable when it returns.
    public func save(_ alert: AlertRecord) throws(AlertStoreError) {
        try upsert(alert)
    }

    /// Inserts or updates several alerts in one transaction (one fsync); durable when it returns.
    public func save(_ alerts: [AlertRecord]) throws(AlertStoreError) {
        guard !alerts.isEmpty else { return }
        if alerts.count == 1 { return try upsert(alerts[0]) }
        try db.transaction { () throws(AlertStoreError) in
            for a in alerts { try upsert(a) }
        }
    }

    private static let upsertSQL = """
        INSERT INTO alerts(seq, alert_id, detector, state, raised_sim_s, raised_wall_ns, cleared_sim_s, cleared_wall_ns,
                           updated_sim_s, probability, severity, pipe_id, position_m, station_id, segment_id,
                           size_fraction, matched_leak_id, hour_of_day)
        VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
        ON CONFLICT(alert_id) DO UPDATE SET
            state=excluded.state, cleared_sim_s=excluded.cleared_sim_s, cleared_wall_ns=excluded.cleared_wall_ns,
            updated_sim_s=excluded.updated_sim_s, probability=excluded.probability, severity=excluded.severity,
            pipe_id=excluded.pipe_id, position_m=excluded.position_m, station_id=excluded.station_id,
            segment_id=excluded.segment_id, size_fraction=excluded.size_fraction,
            matched_leak_id=excluded.matched_leak_id
        """

    private func upsert(_ a: AlertRecord) throws(AlertStoreError) {
        let seq: SQLValue = Self.sequence(of: a.id).map { .int($0) } ?? .null
        try db.query(
            Self.upsertSQL,
            [
                seq, .text(a.id), .text(a.detector), .int(Int64(a.state.rawValue)), .real(a.raisedSimTimeS),
                .int(a.raisedWallUnixNs), a.clearedSimTimeS.map { .real($0) } ?? .null,
                a.clearedWallUnixNs.map { .int($0) } ?? .null, .real(a.updatedSimTimeS), .real(a.probability),
                .int(Int64(a.severity.rawValue)), a.pipeID.map { .text($0) } ?? .null,
                a.positionM.map { .real($0) } ?? .null,
                a.stationID.map { .text($0) } ?? .null, a.segmentID.map { .text($0) } ?? .null,
                a.sizeFraction.map { .real($0) } ?? .null, a.matchedLeakID.map { .text($0) } ?? .null,
                .int(Int64(a.raisedHourOfDay)),
            ])
        var stored = Self.sequence(of: a.id) ?? 0
        if stored == 0 {
            // An id not made by `reserveID` got the next rowid: keep reserved ids above it.
            try db.query("SELECT seq FROM alerts WHERE alert_id = ?", [.text(a.id)]) { row in stored = row.int(0) }
        }
        lastSequence.withLock { $0 = max($0, stored) }
    }

    /// The sequence number in an id of the form `ALR-<n>`.
    static func sequence(of id: String) -> Int64? {
        guard id.hasPrefix("ALR-"), let n = Int64(id.dropFirst(4)), n > 0 else { return nil }
        return n
    }

    /// Alerts left raised by a previous run (its engine state died with it) are closed as
    /// cleared at their last update's sim time and at `wallUnixNs`. Returns how many.
    @discardableResult
    public func closeOrphans(wallUnixNs: Int64) throws(AlertStoreError) -> Int {
        try db.query(
            """
            UPDATE alerts SET state = 2, cleared_sim_s = updated_sim_s, cleared_wall_ns = ? WHERE state = 1
            """, [.int(wallUnixNs)])
        var n = 0
        try db.query("SELECT changes()") { row in n = Int(row.int(0)) }
        return n
    }

    /// One alert by id.
    public func alert(id: String) throws(AlertStoreError) -> AlertRecord? {
        var found: AlertRecord?
        try db.query("SELECT \(Self.columns) FROM alerts WHERE alert_id = ?", [.text(id)]) {
            (row) throws(AlertStoreError) in
            found = try Self.record(row)
        }
        return found
    }

    /// How many alerts the store holds.
    public func count() throws(AlertStoreError) -> Int {
        var n = 0
        try db.query("SELECT COUNT(*) FROM alerts") { row in n = Int(row.int(0)) }
        return n
    }

    static let columns = """
        seq, alert_id, detector, state, raised_sim_s, raised_wall_ns, cleared_sim_s, cleared_wall_ns, updated_sim_s,
        probability, severity, pipe_id, position_m, station_id, segment_id, size_fraction, matched_leak_id
        """

    static func record(_ r: SQLiteRow) throws(AlertStoreError) -> AlertRecord {
        AlertRecord(
            id: r.text(1), detector: r.text(2), state: AlertRecord.State(rawValue: Int(r.int(3))) ?? .raised,
            raisedSimTimeS: r.double(4), raisedWallUnixNs: r.int(5), clearedSimTimeS: r.optionalDouble(6),
            clearedWallUnixNs: r.optionalInt(7), updatedSimTimeS: r.double(8), probability: r.double(9),
            severity: AlertSeverity(rawValue: Int(r.int(10))) ?? .low, pipeID: r.optionalText(11),
            positionM: r.optionalDouble(12), stationID: r.optionalText(13), segmentID: r.optionalText(14),
            sizeFraction: r.optionalDouble(15), matchedLeakID: r.optionalText(16))
    }
}

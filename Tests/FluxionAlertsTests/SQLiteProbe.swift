import CSQLite

/// Reads and writes `PRAGMA user_version` directly, to test the store's schema check.
struct SQLiteProbe {
    struct Failure: Error { let message: String }
    let path: String
    init(_ path: String) { self.path = path }

    func userVersion() throws -> Int {
        var v = -1
        try run("PRAGMA user_version") { v = Int(sqlite3_column_int($0, 0)) }
        return v
    }

    func setUserVersion(_ v: Int) throws { try run("PRAGMA user_version=\(v)") { _ in } }

    /// Runs several statements.
    func exec(_ sql: String) throws {
        var db: OpaquePointer?
        guard sqlite3_open(path, &db) == SQLITE_OK else { throw Failure(message: "open \(path)") }
        defer { sqlite3_close(db) }
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw Failure(message: sql) }
    }

    /// The store's schema as version 1 wrote it (before networks).
    static let version1Schema = """
        CREATE TABLE alerts(
            seq INTEGER PRIMARY KEY, alert_id TEXT NOT NULL UNIQUE, detector TEXT NOT NULL, state INTEGER NOT NULL,
            raised_sim_s REAL NOT NULL, raised_wall_ns INTEGER NOT NULL, cleared_sim_s REAL, cleared_wall_ns INTEGER,
            updated_sim_s REAL NOT NULL, probability REAL NOT NULL, severity INTEGER NOT NULL, pipe_id TEXT,
            position_m REAL, station_id TEXT, segment_id TEXT, size_fraction REAL, matched_leak_id TEXT,
            hour_of_day INTEGER NOT NULL);
        CREATE INDEX alerts_by_raise ON alerts(raised_sim_s, seq);
        CREATE INDEX alerts_by_detector ON alerts(detector, raised_sim_s);
        CREATE INDEX alerts_by_station ON alerts(station_id, raised_sim_s);
        """

    private func run(_ sql: String, _ row: (OpaquePointer) -> Void) throws {
        var db: OpaquePointer?
        guard sqlite3_open(path, &db) == SQLITE_OK else { throw Failure(message: "open \(path)") }
        defer { sqlite3_close(db) }
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &stmt, nil) == SQLITE_OK, let stmt else { throw Failure(message: sql) }
        defer { sqlite3_finalize(stmt) }
        while sqlite3_step(stmt) == SQLITE_ROW { row(stmt) }
    }
}

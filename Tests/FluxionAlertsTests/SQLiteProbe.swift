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

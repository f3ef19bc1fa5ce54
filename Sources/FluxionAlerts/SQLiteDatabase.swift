import CSQLite

/// SQLite's "copy this buffer now" destructor (a macro that Swift cannot import).
private let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A thin owner of one `sqlite3 *` and its prepared statements (cached by SQL text). Not
/// thread-safe: one thread uses it at a time (the store's owner).
final class SQLiteDatabase {
    let path: String
    private var db: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]

    init(path: String) throws(AlertStoreError) {
        self.path = path
        var handle: OpaquePointer?
        let rc = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let handle else {
            let reason = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close(handle)
            throw .cannotOpen(path: path, reason: reason)
        }
        db = handle
        sqlite3_extended_result_codes(handle, 1)
        // Another process holding a write lock (a backup tool, the CLI reading): wait, do not fail.
        sqlite3_busy_timeout(handle, 5000)
    }

    deinit { close() }

    func close() {
        for (_, s) in statements { sqlite3_finalize(s) }
        statements.removeAll()
        if let db { sqlite3_close_v2(db) }
        db = nil
    }

    /// The error for a failed call: NOTADB / CORRUPT become `.corrupt`.
    func error(_ operation: String, _ rc: Int32) -> AlertStoreError {
        let reason = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
        switch rc & 0xff {
        case SQLITE_NOTADB, SQLITE_CORRUPT: return .corrupt(path: path, reason: reason)
        case SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_PERM: return .cannotOpen(path: path, reason: reason)
        default: return .sqlite(path: path, operation: operation, code: rc, reason: reason)
        }
    }

    /// Runs SQL without results (may hold several statements).
    func execute(_ sql: String) throws(AlertStoreError) {
        let rc = sqlite3_exec(db, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw error(String(sql.prefix(40)), rc) }
    }

    /// Runs one statement with `bindings`, calling `row` for each result row.
    func query(
        _ sql: String, _ bindings: [SQLValue] = [], row: (SQLiteRow) throws(AlertStoreError) -> Void = { _ in }
    )
        throws(AlertStoreError)
    {
        let stmt = try prepare(sql)
        defer {
            sqlite3_reset(stmt)
            sqlite3_clear_bindings(stmt)
        }
        for (i, value) in bindings.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch value {
            case .int(let v): rc = sqlite3_bind_int64(stmt, index, v)
            case .real(let v): rc = sqlite3_bind_double(stmt, index, v)
            case .text(let v): rc = sqlite3_bind_text(stmt, index, v, -1, SQLITE_TRANSIENT)
            case .null: rc = sqlite3_bind_null(stmt, index)
            }
            guard rc == SQLITE_OK else { throw error("bind", rc) }
        }
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else { throw error(String(sql.prefix(40)), rc) }
            try row(SQLiteRow(stmt: stmt))
        }
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    var changes: Int { db.map { Int(sqlite3_changes($0)) } ?? 0 }

    /// Runs `body` in one transaction (BEGIN IMMEDIATE … COMMIT; ROLLBACK if it throws).
    func transaction<T>(_ body: () throws(AlertStoreError) -> T) throws(AlertStoreError) -> T {
        try query("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try query("COMMIT")
            return result
        } catch {
            try? query("ROLLBACK")
            throw error
        }
    }

    private func prepare(_ sql: String) throws(AlertStoreError) -> OpaquePointer {
        if let s = statements[sql] { return s }
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error("prepare", rc) }
        // Bounded: queries are built from a few filter shapes.
        if statements.count > 256 {
            for (_, s) in statements { sqlite3_finalize(s) }
            statements.removeAll()
        }
        statements[sql] = stmt
        return stmt
    }
}

/// The current row of a stepping statement.
struct SQLiteRow: SQLRow {
    let stmt: OpaquePointer

    func int(_ i: Int32) -> Int64 { sqlite3_column_int64(stmt, i) }
    func double(_ i: Int32) -> Double { sqlite3_column_double(stmt, i) }
    func isNull(_ i: Int32) -> Bool { sqlite3_column_type(stmt, i) == SQLITE_NULL }
    func text(_ i: Int32) -> String {
        guard let p = sqlite3_column_text(stmt, i) else { return "" }
        return String(cString: p)
    }
}

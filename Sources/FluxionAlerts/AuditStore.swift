/// The audit trail: every accepted mutating call, in order, in `audit.sqlite3` of the data
/// directory (SQLite, WAL, synchronous=FULL: an entry is durable when `append` returns).
///
/// Schema version 1: `audit(seq INTEGER PRIMARY KEY, wall_ns, peer, token_id, method, arguments,
/// status, message)`. `token_id` is the id of the tokens-file entry the caller presented, empty
/// when the server runs without tokens. Not thread-safe: one thread uses a store at a time.
public final class AuditStore {
    public static let fileName = "audit.sqlite3"
    public let path: String
    private let db: SQLiteDatabase

    public struct Entry: Sendable, Equatable {
        public var sequence: Int64 = 0
        public var wallUnixNs: Int64
        public var peer: String
        public var tokenID: String
        public var method: String
        /// The request, one line (`WireText`).
        public var arguments: String
        /// The call's outcome: a status name (`OK`, `INVALID_ARGUMENT`, …) and its message.
        public var status: String
        public var message: String

        public init(
            wallUnixNs: Int64, peer: String, tokenID: String, method: String, arguments: String, status: String,
            message: String
        ) {
            self.wallUnixNs = wallUnixNs
            self.peer = peer
            self.tokenID = tokenID
            self.method = method
            self.arguments = arguments
            self.status = status
            self.message = message
        }
    }

    /// Opens (creating if missing) the trail in `directory`; `readOnly` for the CLI.
    public init(directory: String, readOnly: Bool = false) throws(AlertStoreError) {
        path = directory.hasSuffix("/") ? directory + Self.fileName : directory + "/" + Self.fileName
        db = try SQLiteDatabase(path: path)
        if readOnly { return }
        try db.execute("PRAGMA journal_mode=WAL")
        try db.execute("PRAGMA synchronous=FULL")
        var version = 0
        try db.query("PRAGMA user_version") { row in version = Int(row.int(0)) }
        guard version <= 1 else { throw .schemaTooNew(path: path, found: version, supported: 1) }
        if version == 0 {
            try db.transaction { () throws(AlertStoreError) in
                try db.execute(
                    """
                    CREATE TABLE audit(seq INTEGER PRIMARY KEY, wall_ns INTEGER NOT NULL, peer TEXT NOT NULL,
                        token_id TEXT NOT NULL, method TEXT NOT NULL, arguments TEXT NOT NULL,
                        status TEXT NOT NULL, message TEXT NOT NULL);
                    PRAGMA user_version=1;
                    """)
            }
        }
    }

    /// Appends one entry; durable when it returns.
    public func append(_ e: Entry) throws(AlertStoreError) {
        try db.query(
            "INSERT INTO audit(wall_ns, peer, token_id, method, arguments, status, message) VALUES (?,?,?,?,?,?,?)",
            [
                .int(e.wallUnixNs), .text(e.peer), .text(e.tokenID), .text(e.method), .text(e.arguments),
                .text(e.status),
                .text(e.message),
            ])
    }

    /// The newest `limit` entries (optionally of one method or token id), oldest first.
    public func recent(limit: Int, method: String? = nil, tokenID: String? = nil) throws(AlertStoreError) -> [Entry] {
        var sql = "SELECT seq, wall_ns, peer, token_id, method, arguments, status, message FROM audit"
        var conditions: [String] = []
        var bindings: [SQLValue] = []
        if let method {
            conditions.append("method = ?")
            bindings.append(.text(method))
        }
        if let tokenID {
            conditions.append("token_id = ?")
            bindings.append(.text(tokenID))
        }
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY seq DESC LIMIT ?"
        bindings.append(.int(Int64(limit)))
        var out: [Entry] = []
        try db.query(sql, bindings) { row in
            var e = Entry(
                wallUnixNs: row.int(1), peer: row.text(2), tokenID: row.text(3), method: row.text(4),
                arguments: row.text(5), status: row.text(6), message: row.text(7))
            e.sequence = row.int(0)
            out.append(e)
        }
        return out.reversed()
    }
}

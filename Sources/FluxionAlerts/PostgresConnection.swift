import CLibPQ
import Foundation

/// A thin owner of one libpq connection and its prepared statements (cached by SQL text). Not
/// thread-safe: one thread uses it at a time (the store's owner). Blocking calls: never on the
/// loop thread.
///
/// Parameters go as text with `?` placeholders (rewritten to `$n`) and types inferred by the
/// server; results come back as text (floats print shortest-exact since PostgreSQL 12, so a
/// double survives the round trip bit for bit).
///
/// A lost connection (server restarted, network gone) is `AlertStoreError.unavailable`. The
/// next call reconnects first (`PQreset`), so a caller that retries gets a fresh session.
final class PostgresConnection {
    /// The address without its password, for messages: `postgresql://user@host:port/db`.
    let location: String
    private var conn: OpaquePointer?
    private var statements: [String: String] = [:]
    /// A session-level advisory lock (two keys) taken after every (re)connect, with what to
    /// throw when another session holds it; nil: none.
    var sessionLock: (keys: (String, String), taken: AlertStoreError)?
    /// Written into `fluxion.origin` after every (re)connect, for the alerts table's trigger to
    /// stamp on the rows this session changes (the relay skips a server's own changes); nil:
    /// not set (a session that only reads).
    let origin: String?
    /// Counts successful (re)connects: a session-level state (LISTEN) must be set up again
    /// when it changes.
    private(set) var generation = 0
    private var broken = false
    /// Bounds how long a connection attempt may hang (a host that drops packets), s.
    static let connectTimeoutS = 5

    /// Connects to `url` (a `postgres://` or `postgresql://` URL or a `key=value` string).
    /// - Parameters:
    ///   - applicationName: shown in `pg_stat_activity` ("fluxiond", "fluxiond-relay").
    ///   - origin: see `origin`.
    init(url: String, applicationName: String = "fluxiond", origin: String? = nil) throws(AlertStoreError) {
        self.origin = origin
        // connect_timeout first: a value in the URL (expanded from "dbname") overrides it.
        let keys = ["connect_timeout", "application_name", "dbname"]
        let values = ["\(Self.connectTimeoutS)", applicationName, url]
        conn = Self.withCStrings(keys) { k in
            Self.withCStrings(values) { v in PQconnectdbParams(k, v, 1) }
        }
        location = Self.describe(conn, fallback: url)
        guard let conn, PQstatus(conn) == CONNECTION_OK else {
            let reason = Self.message(conn)
            PQfinish(conn)
            conn = nil
            throw .unavailable(location: location, reason: reason)
        }
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
        try configure()
    }

    deinit { close() }

    func close() {
        if let conn { PQfinish(conn) }
        conn = nil
        statements.removeAll()
    }

    /// Session settings, after every (re)connect. `synchronous_commit=on` whatever the
    /// database's default: a commit returns only once its WAL is flushed, which "durable before
    /// published" relies on.
    private func configure() throws(AlertStoreError) {
        try execute("SET synchronous_commit = on")
        try execute("SET client_min_messages = warning")
        if let origin { try query("SELECT set_config('fluxion.origin', ?, false)", [.text(origin)]) }
        try takeSessionLock()
        generation += 1
    }

    /// Takes `sessionLock` (held until the session ends: a crashed server's lock goes with its
    /// connection).
    func takeSessionLock() throws(AlertStoreError) {
        guard let lock = sessionLock else { return }
        var got = false
        try query(
            "SELECT pg_try_advisory_lock(hashtext(?), hashtext(?))", [.text(lock.keys.0), .text(lock.keys.1)]
        ) { row in got = row.text(0) == "t" }
        guard got else { throw lock.taken }
    }

    /// Reconnects if the connection is known to be broken.
    func ensureConnected() throws(AlertStoreError) {
        guard let conn else { throw .unavailable(location: location, reason: "connection closed") }
        guard PQstatus(conn) != CONNECTION_OK || broken else { return }
        broken = false
        statements.removeAll()
        PQreset(conn)
        guard PQstatus(conn) == CONNECTION_OK else {
            throw .unavailable(location: location, reason: Self.message(conn))
        }
        do {
            try configure()
        } catch {
            // A session without its settings (or its LISTENs, `generation`) is not used.
            broken = true
            throw error
        }
    }

    /// Runs SQL without parameters or results (may hold several statements).
    func execute(_ sql: String) throws(AlertStoreError) {
        try ensureConnected()
        let res = PQexec(conn, sql)
        defer { PQclear(res) }
        try check(res, String(sql.prefix(40)))
    }

    /// Runs one statement with `bindings` (`?` placeholders), calling `row` for each result row.
    /// Returns the number of rows the statement affected (`PQcmdTuples`), 0 when none.
    @discardableResult
    func query(
        _ sql: String, _ bindings: [SQLValue] = [], row: (any SQLRow) throws(AlertStoreError) -> Void = { _ in }
    ) throws(AlertStoreError) -> Int {
        try ensureConnected()
        let name = try prepare(sql)
        let texts: [String?] = bindings.map {
            switch $0 {
            case .int(let v): String(v)
            case .real(let v): v.isNaN ? "NaN" : v.description  // "inf", "-inf", shortest exact digits
            case .text(let v): v
            case .null: nil
            }
        }
        let res = Self.withOptionalCStrings(texts) { params in
            PQexecPrepared(conn, name, Int32(params.count), params, nil, nil, 0)
        }
        defer { PQclear(res) }
        try check(res, String(sql.prefix(40)))
        for i in 0..<PQntuples(res) { try row(PostgresRow(result: res, row: i)) }
        return Int(String(cString: PQcmdTuples(res))) ?? 0
    }

    /// The process id of the server's backend for this session (changes with every reconnect).
    var backendPID: Int32 { conn.map { PQbackendPID($0) } ?? 0 }

    /// The notifications (LISTEN) that have arrived, waiting up to `timeoutS` for the first
    /// when none has. A connection found broken is `.unavailable` (the next call reconnects).
    func notifications(waitingUpTo timeoutS: Double) throws(AlertStoreError) -> [PostgresNotification] {
        try ensureConnected()
        try consumeInput()
        var out = drainNotifications()
        guard out.isEmpty, timeoutS > 0 else { return out }
        var fds = pollfd(fd: PQsocket(conn), events: Int16(POLLIN), revents: 0)
        let ready = poll(&fds, 1, Int32(min(max(timeoutS, 0), 60) * 1000))
        if ready > 0 {
            try consumeInput()
            out = drainNotifications()
        }
        return out
    }

    private func consumeInput() throws(AlertStoreError) {
        guard PQconsumeInput(conn) == 1, PQstatus(conn) == CONNECTION_OK else {
            broken = true
            throw .unavailable(location: location, reason: Self.message(conn))
        }
    }

    private func drainNotifications() -> [PostgresNotification] {
        var out: [PostgresNotification] = []
        while let n = PQnotifies(conn) {
            out.append(
                PostgresNotification(
                    channel: String(cString: n.pointee.relname), payload: String(cString: n.pointee.extra),
                    backendPID: n.pointee.be_pid))
            PQfreemem(n)
        }
        return out
    }

    /// Runs `body` in one transaction (BEGIN … COMMIT; ROLLBACK if it throws).
    func transaction<T>(_ body: () throws(AlertStoreError) -> T) throws(AlertStoreError) -> T {
        try execute("BEGIN")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            if let conn, PQstatus(conn) == CONNECTION_OK { PQclear(PQexec(conn, "ROLLBACK")) }
            throw error
        }
    }

    private func prepare(_ sql: String) throws(AlertStoreError) -> String {
        if let name = statements[sql] { return name }
        if statements.count > 256 {
            try execute("DEALLOCATE ALL")
            statements.removeAll()
        }
        let name = "fluxion_\(statements.count)"
        let res = PQprepare(conn, name, Self.numbered(sql), 0, nil)
        defer { PQclear(res) }
        try check(res, "prepare " + String(sql.prefix(40)))
        statements[sql] = name
        return name
    }

    /// `?` → `$1`, `$2`, … (the statements here hold no `?` inside literals).
    static func numbered(_ sql: String) -> String {
        var out = ""
        var n = 0
        for c in sql {
            if c == "?" {
                n += 1
                out += "$\(n)"
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// Throws the error a failed result stands for: `.unavailable` when the connection is gone
    /// or the server is shutting down / not yet accepting (SQLSTATE class 08, 57P01…57P03).
    private func check(_ res: OpaquePointer?, _ operation: String) throws(AlertStoreError) {
        let status = res.map { PQresultStatus($0) } ?? PGRES_FATAL_ERROR
        guard status != PGRES_COMMAND_OK, status != PGRES_TUPLES_OK else { return }
        let state = res.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "C"))) }.map { String(cString: $0) } ?? ""
        var reason = res.flatMap { PQresultErrorMessage($0) }.map { String(cString: $0) } ?? ""
        if reason.isEmpty { reason = Self.message(conn) }
        reason = reason.split(separator: "\n").first.map(String.init) ?? reason
        let lost = conn.map { PQstatus($0) != CONNECTION_OK } ?? true
        if lost || state.hasPrefix("08") || ["57P01", "57P02", "57P03", "53300"].contains(state) {
            if lost { statements.removeAll() }
            throw .unavailable(location: location, reason: reason)
        }
        throw .database(location: location, operation: operation, code: state, reason: reason)
    }

    private static func message(_ conn: OpaquePointer?) -> String {
        guard let conn, let m = PQerrorMessage(conn) else { return "no connection" }
        let text = String(cString: m).trimmingCharacters(in: .whitespacesAndNewlines)
        // libpq puts one line per address tried; the last says why the last attempt failed.
        return text.split(separator: "\n").last.map { String($0).trimmingCharacters(in: .whitespaces) } ?? text
    }

    private static func describe(_ conn: OpaquePointer?, fallback: String) -> String {
        guard let conn, let host = PQhost(conn), let port = PQport(conn), let db = PQdb(conn) else {
            return fallback.split(separator: "@").last.map { "postgresql://…@\($0)" } ?? "postgresql"
        }
        let user = PQuser(conn).map { String(cString: $0) + "@" } ?? ""
        return "postgresql://\(user)\(String(cString: host)):\(String(cString: port))/\(String(cString: db))"
    }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        withOptionalCStrings(strings) { pointers in body(pointers + [nil]) }
    }

    private static func withOptionalCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        let copies = strings.map { $0.map { strdup($0) } ?? nil }
        defer { for c in copies { free(c) } }
        return body(copies.map { $0.map { UnsafePointer($0) } })
    }
}

/// One notification received on a LISTENing session.
struct PostgresNotification {
    let channel: String
    let payload: String
    /// The backend that sent it.
    let backendPID: Int32
}

/// One row of a result (text format).
struct PostgresRow: SQLRow {
    let result: OpaquePointer?
    let row: Int32

    func text(_ i: Int32) -> String { String(cString: PQgetvalue(result, row, i)) }
    func int(_ i: Int32) -> Int64 { Int64(text(i)) ?? 0 }
    func double(_ i: Int32) -> Double {
        let t = text(i)
        switch t {
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: return Double(t) ?? .nan
        }
    }
    func isNull(_ i: Int32) -> Bool { PQgetisnull(result, row, i) != 0 }
}

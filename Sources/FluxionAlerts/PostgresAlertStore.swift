import Synchronization

/// Alerts in a PostgreSQL database shared by many fluxiond, one per network (see `AlertStore`
/// for the contract and docs/SCALE.md for the deployment).
///
/// Durability: every session runs with `synchronous_commit = on`, so `save` returns only after
/// the server has flushed the commit's WAL. Upserts are keyed by (network, alert id), so a save
/// repeated after a connection loss (its commit may or may not have happened) stores each alert
/// once.
///
/// Schema: versioned migrations in `fluxion_migrations(version, applied_at)`, applied at open in
/// one transaction under an advisory lock (eight servers starting at once migrate once); a
/// database whose version is newer than this build's is refused.
///
/// ```
/// alerts(seq bigint identity PRIMARY KEY,   -- paging tie-break, in order of first save
///        network text, alert_id text, id_n bigint (the n of ALR-n), UNIQUE(network, alert_id),
///        … the same columns as the SQLite store …)
/// indexes: (raised_sim_s, seq), (network, raised_sim_s, seq), (detector, raised_sim_s),
///          (station_id, raised_sim_s), (network, state)
/// version 2: revision bigint (1 at insert, +1 at every change), changed_xid xid8 (the
///            transaction of the last change), origin text (the `fluxion.origin` of the session
///            that made it: a server's network, "" for anyone else), set by a BEFORE trigger
///            that also drops updates that change nothing; index (changed_xid)
/// version 3: an AFTER INSERT OR UPDATE trigger: pg_notify('fluxion_alerts',
///            {"network","id","revision","origin"}) for every row changed (`PostgresAlertFeed`)
/// ```
public final class PostgresAlertStore: SQLAlertStore {
    /// The schema version this build writes.
    public static let schemaVersion = 4
    /// Taken (transaction-scoped) while migrating.
    static let migrationLockKey: Int64 = 0x666c_7578_696f_6e01

    public var location: String { connection.location }
    public let network: String
    let url: String
    private let connection: PostgresConnection
    private let lastNumber = Mutex<Int64>(0)

    /// Whether `text` names a PostgreSQL database (`postgres://` or `postgresql://`).
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Connects, migrates the schema forward, claims the network (unless `claimNetwork` is
    /// false: a second connection of the same server, e.g. its reader) and takes up its id
    /// sequence. Throws `.unavailable` (naming the address, never the password) when the
    /// database cannot be reached, `.networkInUse` when another server serves `network`.
    public init(url: String, network: String, claimNetwork: Bool = true) throws(AlertStoreError) {
        self.url = url
        self.network = network
        connection = try PostgresConnection(url: url, origin: network)
        try migrate()
        if claimNetwork {
            // Session-scoped: held for the server's life, retaken after a reconnect, released
            // when the server's connection ends (also on kill -9).
            connection.sessionLock = (
                ("fluxion-network", network), .networkInUse(location: connection.location, network: network)
            )
            try connection.takeSessionLock()
        }
        var stored: Int64 = 0
        try connection.query("SELECT COALESCE(MAX(id_n), 0) FROM alerts WHERE network = ?", [.text(network)]) {
            row in stored = row.int(0)
        }
        lastNumber.withLock { $0 = stored }
    }

    public func reopen() throws(AlertStoreError) -> any AlertStore {
        try PostgresAlertStore(url: url, network: network, claimNetwork: false)
    }

    public func close() { connection.close() }

    /// The changes other servers commit, live (`PostgresAlertFeed`, its own connection).
    public func changeFeed() throws(AlertStoreError) -> (any AlertChangeFeed)? {
        try PostgresAlertFeed(url: url, network: network)
    }

    var hourKeySQL: String { "lpad(hour_of_day::text, 2, '0')" }
    var lockRowSQL: String { " FOR UPDATE" }

    func runOnce(
        _ sql: String, _ bindings: [SQLValue], row: (any SQLRow) throws(AlertStoreError) -> Void
    ) throws(AlertStoreError) {
        try connection.query(sql, bindings, row: row)
    }

    func inTransaction<T>(_ body: () throws(AlertStoreError) -> T) throws(AlertStoreError) -> T {
        try connection.transaction(body)
    }

    /// Read-only statements are retried once on a fresh connection when the old one turns out
    /// to be dead (the server restarted since the last call).
    func run(
        _ sql: String, _ bindings: [SQLValue], row: (any SQLRow) throws(AlertStoreError) -> Void
    )
        throws(AlertStoreError)
    {
        do {
            try connection.query(sql, bindings, row: row)
        } catch .unavailable {
            try connection.query(sql, bindings, row: row)
        }
    }

    /// Migrations by version, each applied once, in order, when the database has not recorded
    /// it (so versions another build adds between these apply on their own; none depends on
    /// one it does not list). 1: the alerts table. 2, 3: the relay's revision stamp and
    /// notification. 4: alarm handling.
    public static let migrations: [(version: Int, sql: String)] = [
        (
            1,
            """
            CREATE TABLE alerts(
                seq bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                network text NOT NULL,
                alert_id text NOT NULL,
                id_n bigint NOT NULL,
                detector text NOT NULL,
                state smallint NOT NULL,
                raised_sim_s double precision NOT NULL,
                raised_wall_ns bigint NOT NULL,
                cleared_sim_s double precision,
                cleared_wall_ns bigint,
                updated_sim_s double precision NOT NULL,
                probability double precision NOT NULL,
                severity smallint NOT NULL,
                pipe_id text,
                position_m double precision,
                station_id text,
                segment_id text,
                size_fraction double precision,
                matched_leak_id text,
                hour_of_day smallint NOT NULL,
                UNIQUE (network, alert_id));
            CREATE INDEX alerts_by_raise ON alerts(raised_sim_s, seq);
            CREATE INDEX alerts_by_network ON alerts(network, raised_sim_s, seq);
            CREATE INDEX alerts_by_detector ON alerts(detector, raised_sim_s);
            CREATE INDEX alerts_by_station ON alerts(station_id, raised_sim_s);
            CREATE INDEX alerts_raised ON alerts(network, state) WHERE state = 1;
            """
        ),
        // 2: what the relay orders, de-duplicates and catches up by. Every change to a row,
        // whatever its columns and whoever makes it, goes through the trigger. Constant
        // defaults: the table is not rewritten; rows older than the migration have xid 0,
        // below any relay's watermark (history, not news).
        (
            2,
            """
            ALTER TABLE alerts
                ADD COLUMN revision bigint NOT NULL DEFAULT 1,
                ADD COLUMN changed_xid xid8 NOT NULL DEFAULT '0',
                ADD COLUMN origin text NOT NULL DEFAULT '';
            CREATE INDEX alerts_by_change ON alerts(changed_xid);
            CREATE FUNCTION fluxion_alert_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'UPDATE' THEN
                    IF NEW IS NOT DISTINCT FROM OLD THEN
                        RETURN NULL;  -- a repeated save: no change, no revision, no notification
                    END IF;
                    NEW.revision := OLD.revision + 1;
                ELSE
                    NEW.revision := 1;
                END IF;
                NEW.changed_xid := pg_current_xact_id();
                NEW.origin := COALESCE(current_setting('fluxion.origin', true), '');
                RETURN NEW;
            END $$;
            CREATE TRIGGER alerts_stamp BEFORE INSERT OR UPDATE ON alerts
                FOR EACH ROW EXECUTE FUNCTION fluxion_alert_stamp();
            """
        ),
        // 3: the notification (a small payload, far below NOTIFY's 8000 bytes: the listener
        // reads the row).
        (
            3,
            """
            CREATE FUNCTION fluxion_alert_notify() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('\(PostgresAlertFeed.channel)', json_build_object(
                    'network', NEW.network, 'id', NEW.alert_id, 'revision', NEW.revision,
                    'origin', NEW.origin)::text);
                RETURN NULL;
            END $$;
            CREATE TRIGGER alerts_notify AFTER INSERT OR UPDATE ON alerts
                FOR EACH ROW EXECUTE FUNCTION fluxion_alert_notify();
            """
        ),
        (
            4,
            """
            ALTER TABLE alerts ADD COLUMN acked_operator text, ADD COLUMN acked_token text,
                ADD COLUMN acked_wall_ns bigint, ADD COLUMN ack_comment text, ADD COLUMN shelve_kind smallint,
                ADD COLUMN shelved_until_ns bigint, ADD COLUMN shelve_reason text, ADD COLUMN shelved_operator text,
                ADD COLUMN shelved_token text, ADD COLUMN shelved_wall_ns bigint;
            """
        ),
    ]

    private func migrate() throws(AlertStoreError) {
        try connection.transaction { () throws(AlertStoreError) in
            try connection.query("SELECT pg_advisory_xact_lock(?)", [.int(Self.migrationLockKey)])
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS fluxion_migrations(
                    version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                """)
            var applied: Set<Int> = []
            try connection.query("SELECT version FROM fluxion_migrations") { row in applied.insert(Int(row.int(0))) }
            if let newest = applied.max(), newest > Self.schemaVersion {
                throw .schemaTooNew(path: location, found: newest, supported: Self.schemaVersion)
            }
            for (version, sql) in Self.migrations where !applied.contains(version) {
                try connection.execute(sql)
                try connection.query("INSERT INTO fluxion_migrations(version) VALUES (?)", [.int(Int64(version))])
            }
        }
    }

    public func reserveID() -> String {
        let n = lastNumber.withLock { n -> Int64 in
            n += 1
            return n
        }
        return "ALR-\(n)"
    }

    private static let insertSQL = """
        INSERT INTO alerts(id_n, \(upsertColumns))
        VALUES(\(upsertPlaceholders))
        ON CONFLICT(network, alert_id) DO NOTHING
        """
    private static let updateSQL = updateSQL(key: "network = ? AND alert_id = ?", clearing: false)
    private static let clearSQL = updateSQL(key: "network = ? AND alert_id = ?", clearing: true)

    /// One transaction (one WAL flush); durable when it returns. After a connection loss the
    /// next call reconnects; repeating the save is safe (upserts).
    @discardableResult
    public func save(_ alerts: [AlertRecord]) throws(AlertStoreError) -> [AlertRecord] {
        guard !alerts.isEmpty else { return [] }
        if alerts.count == 1 { return [try upsert(alerts[0])] }
        return try connection.transaction { () throws(AlertStoreError) -> [AlertRecord] in
            var stored: [AlertRecord] = []
            for a in alerts { stored.append(try upsert(a)) }
            return stored
        }
    }

    private func upsert(_ a: AlertRecord) throws(AlertStoreError) -> AlertRecord {
        let n = Self.idNumber(of: a.id) ?? 0
        var result = a
        if try connection.query(Self.insertSQL, [.int(n)] + Self.upsertValues(a)) == 0 {
            var returned = false
            try connection.query(
                a.state == .cleared ? Self.clearSQL : Self.updateSQL,
                Self.updateValues(a) + [.text(a.network), .text(a.id)]
            ) { row in
                result = Self.stored(a, row)
                returned = true
            }
            // An update that changes nothing is dropped by the revision trigger (migration 2)
            // and returns no row: the alarm state is read as it is.
            if !returned {
                try connection.query(
                    "SELECT \(Self.alarmColumns) FROM alerts WHERE network = ? AND alert_id = ?",
                    [.text(a.network), .text(a.id)]
                ) { row in result = Self.stored(a, row) }
            }
        }
        if a.network == network { lastNumber.withLock { $0 = max($0, n) } }
        return result
    }

    @discardableResult
    public func closeOrphans(wallUnixNs: Int64) throws(AlertStoreError) -> Int {
        try connection.query(
            """
            UPDATE alerts SET state = 2, cleared_sim_s = updated_sim_s, cleared_wall_ns = ?, \(Self.endOneShotShelving)
            WHERE state = 1 AND network = ?
            """, [.int(wallUnixNs), .text(network)])
    }
}

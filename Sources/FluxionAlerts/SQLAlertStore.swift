/// A value bound to a `?` parameter.
enum SQLValue {
    case int(Int64)
    case real(Double)
    case text(String)
    case null
}

/// One result row, whichever database produced it.
protocol SQLRow {
    func int(_ i: Int32) -> Int64
    func double(_ i: Int32) -> Double
    func text(_ i: Int32) -> String
    func isNull(_ i: Int32) -> Bool
}

extension SQLRow {
    func optionalDouble(_ i: Int32) -> Double? { isNull(i) ? nil : double(i) }
    func optionalInt(_ i: Int32) -> Int64? { isNull(i) ? nil : int(i) }
    func optionalText(_ i: Int32) -> String? { isNull(i) ? nil : text(i) }
}

/// What the SQLite and PostgreSQL stores share: one table `alerts` with the same columns, the
/// same filters, paging and aggregates, written once here. A store supplies how to run one
/// statement (`?` placeholders) and the one expression that differs by dialect.
///
/// Paging is by key, not offset: pages are ordered by (raised sim time, seq) and a page
/// token carries the key of the last alert returned, so later pages start strictly after it.
/// Alerts saved between two page requests therefore never cause a duplicate or a gap among
/// the alerts that existed before; those raised later (larger keys) appear on later pages.
protocol SQLAlertStore: AlertStore {
    /// Runs one statement with `bindings` (`?` placeholders), calling `row` for each result row.
    func run(
        _ sql: String, _ bindings: [SQLValue], row: (any SQLRow) throws(AlertStoreError) -> Void)
        throws(AlertStoreError)
    /// The hour of day of the raise as "00"…"23".
    var hourKeySQL: String { get }
    /// Runs one statement as `run` does, but never retried on another connection (inside a
    /// transaction a retry would run outside it).
    func runOnce(
        _ sql: String, _ bindings: [SQLValue], row: (any SQLRow) throws(AlertStoreError) -> Void)
        throws(AlertStoreError)
    /// Runs `body` in one transaction.
    func inTransaction<T>(_ body: () throws(AlertStoreError) -> T) throws(AlertStoreError) -> T
    /// Appended to the SELECT of an alarm action inside its transaction (PostgreSQL: `FOR
    /// UPDATE`, so two servers acting on one alert take turns; SQLite's BEGIN IMMEDIATE already
    /// holds the file).
    var lockRowSQL: String { get }
}

extension SQLAlertStore {
    static var columns: String {
        """
        seq, alert_id, detector, state, raised_sim_s, raised_wall_ns, cleared_sim_s, cleared_wall_ns, updated_sim_s,
        probability, severity, pipe_id, position_m, station_id, segment_id, size_fraction, matched_leak_id, network,
        \(alarmColumns)
        """
    }

    /// The alarm columns (schema: SQLite version 3, PostgreSQL migration 4), in `record`'s order.
    static var alarmColumns: String {
        """
        acked_operator, acked_token, acked_wall_ns, ack_comment, shelve_kind, shelved_until_ns, shelve_reason,
        shelved_operator, shelved_token, shelved_wall_ns
        """
    }

    /// The alarm columns of `r` from column `i` on (the order of `alarmColumns`).
    static func alarm(_ r: any SQLRow, from i: Int32) -> (Acknowledgement?, Shelving?) {
        var ack: Acknowledgement?
        if let at = r.optionalInt(i + 2) {
            ack = Acknowledgement(
                by: AlarmActor(operatorName: r.text(i), tokenID: r.text(i + 1)), wallUnixNs: at, comment: r.text(i + 3))
        }
        var shelving: Shelving?
        if let k = r.optionalInt(i + 4), let kind = Shelving.Kind(rawValue: Int(k)) {
            shelving = Shelving(
                kind: kind, untilWallUnixNs: r.int(i + 5), reason: r.text(i + 6),
                by: AlarmActor(operatorName: r.text(i + 7), tokenID: r.text(i + 8)), wallUnixNs: r.int(i + 9))
        }
        return (ack, shelving)
    }

    /// The values of the alarm columns of `a`, in the order of `alarmColumns`.
    static func alarmValues(_ a: AlertRecord) -> [SQLValue] {
        let k = a.acknowledgement, s = a.shelving
        return [
            k.map { .text($0.by.operatorName) } ?? .null, k.map { .text($0.by.tokenID) } ?? .null,
            k.map { .int($0.wallUnixNs) } ?? .null, k.map { .text($0.comment) } ?? .null,
            s.map { .int(Int64($0.kind.rawValue)) } ?? .null, s.map { .int($0.untilWallUnixNs) } ?? .null,
            s.map { .text($0.reason) } ?? .null, s.map { .text($0.by.operatorName) } ?? .null,
            s.map { .text($0.by.tokenID) } ?? .null, s.map { .int($0.wallUnixNs) } ?? .null,
        ]
    }

    static func record(_ r: any SQLRow) -> AlertRecord {
        var record = AlertRecord(
            id: r.text(1), detector: r.text(2), state: AlertRecord.State(rawValue: Int(r.int(3))) ?? .raised,
            raisedSimTimeS: r.double(4), raisedWallUnixNs: r.int(5), clearedSimTimeS: r.optionalDouble(6),
            clearedWallUnixNs: r.optionalInt(7), updatedSimTimeS: r.double(8), probability: r.double(9),
            severity: AlertSeverity(rawValue: Int(r.int(10))) ?? .low, pipeID: r.optionalText(11),
            positionM: r.optionalDouble(12), stationID: r.optionalText(13), segmentID: r.optionalText(14),
            sizeFraction: r.optionalDouble(15), matchedLeakID: r.optionalText(16), network: r.text(17))
        (record.acknowledgement, record.shelving) = alarm(r, from: 18)
        return record
    }

    static var upsertColumns: String {
        """
        network, alert_id, detector, state, raised_sim_s, raised_wall_ns, cleared_sim_s, cleared_wall_ns,
        updated_sim_s, probability, severity, pipe_id, position_m, station_id, segment_id,
        size_fraction, matched_leak_id, hour_of_day, \(alarmColumns)
        """
    }

    /// The placeholders of an upsert's VALUES (the id number, then `upsertColumns`).
    static var upsertPlaceholders: String { Array(repeating: "?", count: 29).joined(separator: ",") }

    /// The values of an upsert of `a`, in the order of `upsertColumns`.
    static func upsertValues(_ a: AlertRecord) -> [SQLValue] {
        [
            .text(a.network), .text(a.id), .text(a.detector), .int(Int64(a.state.rawValue)), .real(a.raisedSimTimeS),
            .int(a.raisedWallUnixNs), a.clearedSimTimeS.map { .real($0) } ?? .null,
            a.clearedWallUnixNs.map { .int($0) } ?? .null, .real(a.updatedSimTimeS), .real(a.probability),
            .int(Int64(a.severity.rawValue)), a.pipeID.map { .text($0) } ?? .null,
            a.positionM.map { .real($0) } ?? .null,
            a.stationID.map { .text($0) } ?? .null, a.segmentID.map { .text($0) } ?? .null,
            a.sizeFraction.map { .real($0) } ?? .null, a.matchedLeakID.map { .text($0) } ?? .null,
            .int(Int64(a.raisedHourOfDay)),
        ] + alarmValues(a)
    }

    /// The SET of an UPDATE that clears alerts: a one-shot shelving ends with them.
    static var endOneShotShelving: String {
        ["shelve_kind", "shelved_until_ns", "shelve_reason", "shelved_operator", "shelved_token", "shelved_wall_ns"]
            .map { "\($0) = CASE WHEN shelve_kind = 2 THEN NULL ELSE \($0) END" }.joined(separator: ", ")
    }

    /// The UPDATE of an alert already stored, found by `key` (`?` placeholders): what the engine
    /// changes, never the raise or the alarm state (except that a clear ends a one-shot
    /// shelving), returning the stored alarm state. Values: `updateValues`, then the key's.
    ///
    /// A save inserts with ON CONFLICT DO NOTHING and runs this only when the alert existed: a
    /// single upsert with RETURNING made every insert pay for the RETURNING (SQLite batched
    /// inserts 2–5× slower, docs/PERFORMANCE.md), and inserts are never anything but new.
    static func updateSQL(key: String, clearing: Bool) -> String {
        """
        UPDATE alerts SET state = ?, cleared_sim_s = ?, cleared_wall_ns = ?, updated_sim_s = ?, probability = ?,
            severity = ?, pipe_id = ?, position_m = ?, station_id = ?, segment_id = ?, size_fraction = ?,
            matched_leak_id = ?\(clearing ? ", " + endOneShotShelving : "")
        WHERE \(key) RETURNING \(alarmColumns)
        """
    }

    /// The values of `updateSQL`'s SET, from `a`.
    static func updateValues(_ a: AlertRecord) -> [SQLValue] {
        [
            .int(Int64(a.state.rawValue)), a.clearedSimTimeS.map { .real($0) } ?? .null,
            a.clearedWallUnixNs.map { .int($0) } ?? .null, .real(a.updatedSimTimeS), .real(a.probability),
            .int(Int64(a.severity.rawValue)), a.pipeID.map { .text($0) } ?? .null,
            a.positionM.map { .real($0) } ?? .null,
            a.stationID.map { .text($0) } ?? .null, a.segmentID.map { .text($0) } ?? .null,
            a.sizeFraction.map { .real($0) } ?? .null, a.matchedLeakID.map { .text($0) } ?? .null,
        ]
    }

    /// `a` with the alarm state the update returned.
    static func stored(_ a: AlertRecord, _ r: any SQLRow) -> AlertRecord {
        var a = a
        (a.acknowledgement, a.shelving) = alarm(r, from: 0)
        return a
    }

    public func applyAlarm(
        _ action: AlarmAction, alertID id: String, network: String, atWallUnixNs now: Int64
    ) throws(AlertStoreError) -> AlertEvent? {
        try inTransaction { () throws(AlertStoreError) -> AlertEvent? in
            var found: AlertRecord?
            try runOnce(
                "SELECT \(Self.columns) FROM alerts WHERE network = ? AND alert_id = ?\(lockRowSQL)",
                [.text(network), .text(id)]
            ) { row in found = Self.record(row) }
            guard let before = found else { throw .alertNotFound(network: network, id: id) }
            guard let after = try action.applied(to: before, atWallUnixNs: now) else { return nil }
            try runOnce(
                """
                UPDATE alerts SET acked_operator = ?, acked_token = ?, acked_wall_ns = ?, ack_comment = ?,
                    shelve_kind = ?, shelved_until_ns = ?, shelve_reason = ?, shelved_operator = ?, shelved_token = ?,
                    shelved_wall_ns = ?
                WHERE network = ? AND alert_id = ?
                """, Self.alarmValues(after) + [.text(network), .text(id)]
            ) { _ in }
            return AlertEvent(kind: action.eventKind, alert: after, previous: before, actor: action.actor)
        }
    }

    public func alert(id: String) throws(AlertStoreError) -> AlertRecord? {
        var found: AlertRecord?
        try run("SELECT \(Self.columns) FROM alerts WHERE network = ? AND alert_id = ?", [.text(network), .text(id)]) {
            row in found = Self.record(row)
        }
        return found
    }

    public func count() throws(AlertStoreError) -> Int {
        var n = 0
        try run("SELECT COUNT(*) FROM alerts", []) { row in n = Int(row.int(0)) }
        return n
    }

    public func query(
        _ query: AlertQuery, pageSize: Int, pageToken: String?
    ) throws(AlertStoreError) -> AlertPage {
        guard (1...AlertQuery.maxPageSize).contains(pageSize) else {
            throw .invalidFilter(field: "page_size", reason: "must be 1…\(AlertQuery.maxPageSize), got \(pageSize)")
        }
        let (whereSQL, whereBindings) = try Self.whereClause(query)
        var bindings = whereBindings
        let fingerprint = PageToken.fingerprint(query)
        var conditions = whereSQL
        if let pageToken, !pageToken.isEmpty {
            let token = try PageToken(decoding: pageToken)
            guard token.fingerprint == fingerprint else {
                throw .badPageToken(reason: "was issued for a different filter")
            }
            conditions.append("(raised_sim_s, seq) > (?, ?)")
            bindings += [.real(token.raisedSimTimeS), .int(token.sequence)]
        }
        let sql = "SELECT \(Self.columns) FROM alerts" + Self.joined(conditions) + " ORDER BY raised_sim_s, seq LIMIT ?"
        var alerts: [AlertRecord] = []
        var keys: [(Double, Int64)] = []
        try run(sql, bindings + [.int(Int64(pageSize + 1))]) { row in
            alerts.append(Self.record(row))
            keys.append((row.double(4), row.int(0)))
        }
        var next: String?
        if alerts.count > pageSize {
            alerts.removeLast()
            let last = keys[pageSize - 1]
            next = PageToken(raisedSimTimeS: last.0, sequence: last.1, fingerprint: fingerprint).encoded
        }
        var total = 0
        try run("SELECT COUNT(*) FROM alerts" + Self.joined(whereSQL), whereBindings) { row in
            total = Int(row.int(0))
        }
        return AlertPage(alerts: alerts, nextPageToken: next, totalCount: total)
    }

    public func aggregate(
        _ query: AlertQuery, by grouping: AlertGrouping
    ) throws(AlertStoreError) -> [AlertBucketSummary] {
        let (whereSQL, bindings) = try Self.whereClause(query)
        let key =
            switch grouping {
            case .station: "COALESCE(station_id, '')"
            case .hourOfDay: hourKeySQL
            case .detector: "detector"
            case .network: "network"
            }
        let sql =
            "SELECT \(key) AS k, COUNT(*), AVG(probability), MAX(probability) FROM alerts"
            + Self.joined(whereSQL) + " GROUP BY k"
        var buckets: [AlertBucketSummary] = []
        try run(sql, bindings) { row in
            buckets.append(
                AlertBucketSummary(
                    key: row.text(0), count: Int(row.int(1)), meanProbability: row.double(2),
                    maxProbability: row.double(3)))
        }
        // Key order by bytes, whatever the database's collation (PostgreSQL's follows the locale).
        return buckets.sorted { Array($0.key.utf8).lexicographicallyPrecedes($1.key.utf8) }
    }

    static func joined(_ conditions: [String]) -> String {
        conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
    }

    /// SQL conditions with their bound values for `query`.
    static func whereClause(_ q: AlertQuery) throws(AlertStoreError) -> ([String], [SQLValue]) {
        var conditions: [String] = []
        var values: [SQLValue] = []
        if let r = q.simTimeRange {
            guard r.lowerBound.isFinite || r.upperBound.isFinite else {
                throw .invalidFilter(field: "sim_time", reason: "bounds must be numbers")
            }
            conditions.append("raised_sim_s BETWEEN ? AND ?")
            values += [.real(r.lowerBound), .real(r.upperBound)]
        }
        if let r = q.wallTimeRange {
            conditions.append("raised_wall_ns BETWEEN ? AND ?")
            values += [.int(r.lowerBound), .int(r.upperBound)]
        }
        for (field, items) in [
            ("networks", q.networks), ("detectors", q.detectors), ("station_ids", q.stationIDs),
            ("pipe_ids", q.pipeIDs),
        ] where items.count > AlertQuery.maxListItems {
            throw .invalidFilter(field: field, reason: "at most \(AlertQuery.maxListItems) items, got \(items.count)")
        }
        func list(_ column: String, _ items: [String]) {
            guard !items.isEmpty else { return }
            conditions.append("\(column) IN (\(Array(repeating: "?", count: items.count).joined(separator: ",")))")
            values += items.map { .text($0) }
        }
        list("network", q.networks)
        list("detector", q.detectors)
        // "" stands for "none" (NULL); without it the plain column form lets the database use
        // the station index (measured on SQLite: 3× faster on the benchmark's filter).
        list(q.stationIDs.contains("") ? "COALESCE(station_id, '')" : "station_id", q.stationIDs)
        list(q.pipeIDs.contains("") ? "COALESCE(pipe_id, '')" : "pipe_id", q.pipeIDs)
        if let s = q.state {
            conditions.append("state = ?")
            values.append(.int(Int64(s.rawValue)))
        }
        guard q.minProbability.isFinite, (0...1).contains(q.minProbability) else {
            throw .invalidFilter(field: "min_probability", reason: "must be 0…1, got \(q.minProbability)")
        }
        if q.minProbability > 0 {
            conditions.append("probability >= ?")
            values.append(.real(q.minProbability))
        }
        if let s = q.minSeverity {
            conditions.append("severity >= ?")
            values.append(.int(Int64(s.rawValue)))
        }
        if !q.alarmStates.isEmpty {
            // The rule of `AlertRecord.alarmState(atWallUnixNs:)`, at the time of the query.
            let states = q.alarmStates.sorted()
            conditions.append(
                """
                (CASE WHEN shelve_kind IS NOT NULL AND shelved_until_ns > ? THEN 5
                      WHEN state = 1 AND acked_wall_ns IS NULL THEN 1 WHEN state = 1 THEN 2
                      WHEN acked_wall_ns IS NULL THEN 3 ELSE 4 END) IN (\(states.map { _ in "?" }.joined(separator: ",")))
                """)
            values.append(.int(WallTime.nowUnixNs()))
            values += states.map { .int(Int64($0.rawValue)) }
        }
        return (conditions, values)
    }
}

import FluxionAlerts
import FluxionTestSupport
import Foundation
import Testing

extension AlertStoreSuite {
    /// Alarm handling (acknowledge, shelve, unshelve, a shelving running out) on both stores,
    /// with the same rules: `AlarmAction` applied inside the store's transaction.
    @Suite struct AlarmStoreTests {
        static let alice = AlarmActor(operatorName: "alice", tokenID: "ops-1")
        static let second: Int64 = 1_000_000_000

        @Test(arguments: StoreKind.allCases) func acknowledgeOnceKeptThroughEngineSavesAndReopen(kind: StoreKind) throws
        {
            let place = try kind.fresh()
            defer { place.cleanup() }
            let store = try place.open()
            var raised = AlertStoreTests.alert(1, t: 10)
            try store.save([raised, AlertStoreTests.alert(2, t: 20, state: .cleared)])
            let now = WallTime.nowUnixNs()
            #expect(try store.alert(id: "ALR-1")?.alarmState(atWallUnixNs: now) == .unackedActive)
            #expect(try store.alert(id: "ALR-2")?.alarmState(atWallUnixNs: now) == .unackedReturned)

            let event = try #require(
                try store.applyAlarm(
                    .acknowledge(by: Self.alice, comment: "crew sent"), alertID: "ALR-1", network: "", atWallUnixNs: now
                ))
            #expect(event.kind == .acknowledged && event.actor == Self.alice)
            #expect(event.previous?.acknowledgement == nil)
            let ack = Acknowledgement(by: Self.alice, wallUnixNs: now, comment: "crew sent")
            #expect(event.alert.acknowledgement == ack)
            #expect(try store.alert(id: "ALR-1")?.acknowledgement == ack)
            #expect(event.alert.alarmState(atWallUnixNs: now) == .ackedActive)

            // Once only: the first acknowledgement is kept and named.
            let again = #expect(throws: AlertStoreError.self) {
                try store.applyAlarm(
                    .acknowledge(by: AlarmActor(operatorName: "bob"), comment: ""), alertID: "ALR-1", network: "",
                    atWallUnixNs: now + Self.second)
            }
            #expect(
                again?.description.hasPrefix("alert ALR-1 is already acknowledged by alice (token ops-1) at ") == true)
            #expect(try store.alert(id: "ALR-1")?.acknowledgement == ack)
            #expect(throws: AlertStoreError.alertNotFound(network: "", id: "ALR-9")) {
                try store.applyAlarm(
                    .acknowledge(by: Self.alice, comment: ""), alertID: "ALR-9", network: "", atWallUnixNs: now)
            }
            #expect(throws: AlertStoreError.alertNotFound(network: "east", id: "ALR-1")) {
                try store.applyAlarm(
                    .acknowledge(by: Self.alice, comment: ""), alertID: "ALR-1", network: "east", atWallUnixNs: now)
            }

            // The engine's records carry no alarm state: a save (update, then clear) keeps the
            // stored one and returns it.
            raised.probability = 0.99
            #expect(try store.save(raised).acknowledgement == ack)
            raised.state = .cleared
            raised.clearedSimTimeS = 90
            raised.clearedWallUnixNs = 5
            let cleared = try store.save(raised)
            #expect(cleared.acknowledgement == ack && cleared.alarmState(atWallUnixNs: now) == .normal)
            store.close()

            let reopened = try place.open()
            defer { reopened.close() }
            #expect(try reopened.alert(id: "ALR-1")?.acknowledgement == ack)
            #expect(try reopened.alert(id: "ALR-1")?.probability == 0.99)
        }

        @Test(arguments: StoreKind.allCases) func shelveUnshelveOneShotAndRunningOut(kind: StoreKind) throws {
            let place = try kind.fresh()
            defer { place.cleanup() }
            let store = try place.open()
            defer { store.close() }
            var one = AlertStoreTests.alert(1, t: 10)
            try store.save([one, AlertStoreTests.alert(2, t: 20, state: .cleared)])
            let now = WallTime.nowUnixNs()

            let shelved = try #require(
                try store.applyAlarm(
                    .shelve(kind: .timed, durationS: 3600, reason: "valve work", by: Self.alice), alertID: "ALR-1",
                    network: "", atWallUnixNs: now))
            #expect(shelved.kind == .shelved)
            let shelving = Shelving(
                kind: .timed, untilWallUnixNs: now + 3600 * Self.second, reason: "valve work", by: Self.alice,
                wallUnixNs: now)
            #expect(shelved.alert.shelving == shelving)
            #expect(try store.alert(id: "ALR-1")?.shelving == shelving)
            // Queries by alarm state, at the time of the query.
            func ids(_ states: Set<AlarmState>) throws -> [String] {
                try store.query(AlertQuery(alarmStates: states)).alerts.map(\.id)
            }
            #expect(try ids([.shelved]) == ["ALR-1"])
            #expect(try ids(AlarmState.unacknowledged) == ["ALR-2"])
            #expect(try ids([.unackedActive]) == [])

            let unshelved = try #require(
                try store.applyAlarm(.unshelve(by: Self.alice), alertID: "ALR-1", network: "", atWallUnixNs: now + 1))
            #expect(unshelved.kind == .unshelved && unshelved.alert.shelving == nil)
            #expect(unshelved.previous?.shelving == shelving)
            #expect(try ids(AlarmState.unacknowledged) == ["ALR-1", "ALR-2"])
            let notShelved = #expect(throws: AlertStoreError.self) {
                try store.applyAlarm(.unshelve(by: Self.alice), alertID: "ALR-1", network: "", atWallUnixNs: now + 2)
            }
            #expect(notShelved == .alarmRefused(reason: "alert ALR-1 is not shelved"))

            // One-shot: refused on a cleared alert; ends when the alert clears.
            let oneShotCleared = #expect(throws: AlertStoreError.self) {
                try store.applyAlarm(
                    .shelve(kind: .oneShot, durationS: 0, reason: "r", by: Self.alice), alertID: "ALR-2", network: "",
                    atWallUnixNs: now)
            }
            #expect(oneShotCleared?.description.hasPrefix("alert ALR-2 has cleared") == true)
            let oneShot = try #require(
                try store.applyAlarm(
                    .shelve(kind: .oneShot, durationS: 0, reason: "until it clears", by: Self.alice), alertID: "ALR-1",
                    network: "", atWallUnixNs: now))
            #expect(oneShot.alert.shelving?.kind == .oneShot)
            #expect(oneShot.alert.shelving?.untilWallUnixNs == now + Int64(Shelving.maxDurationS) * Self.second)
            one.probability = 0.95
            #expect(try store.save(one).shelving?.kind == .oneShot)  // an update keeps it
            one.state = .cleared
            one.clearedSimTimeS = 70
            one.clearedWallUnixNs = 9
            #expect(try store.save(one).shelving == nil)  // the clear ends it
            #expect(try store.alert(id: "ALR-1")?.shelving == nil)
            #expect(try store.alert(id: "ALR-1")?.alarmState(atWallUnixNs: now) == .unackedReturned)

            // A timed shelving that has run out: read as not shelved; removed by the clock.
            let past = try #require(
                try store.applyAlarm(
                    .shelve(kind: .timed, durationS: 1, reason: "short", by: Self.alice), alertID: "ALR-2", network: "",
                    atWallUnixNs: now - 10 * Self.second))
            let until = try #require(past.alert.shelving?.untilWallUnixNs)
            #expect(try ids([.shelved]) == [])
            #expect(try store.alert(id: "ALR-2")?.alarmState(atWallUnixNs: now) == .unackedReturned)
            // Not yet its time, or another end: nothing to do.
            #expect(
                try store.applyAlarm(
                    .expireShelving(untilWallUnixNs: until), alertID: "ALR-2", network: "", atWallUnixNs: until - 1)
                    == nil)
            #expect(
                try store.applyAlarm(
                    .expireShelving(untilWallUnixNs: until + 1), alertID: "ALR-2", network: "", atWallUnixNs: now)
                    == nil)
            let expired = try #require(
                try store.applyAlarm(
                    .expireShelving(untilWallUnixNs: until), alertID: "ALR-2", network: "", atWallUnixNs: now))
            #expect(expired.kind == .unshelved && expired.actor == AlarmActor() && expired.alert.shelving == nil)
            #expect(try store.alert(id: "ALR-2")?.shelving == nil)
            #expect(
                try store.applyAlarm(
                    .expireShelving(untilWallUnixNs: until), alertID: "ALR-2", network: "", atWallUnixNs: now)
                    == nil)
            // Out-of-range durations are refused by the rule itself (the server checks first).
            for bad in [0.5, Shelving.maxDurationS + 1, .nan, .infinity, -5] {
                #expect(throws: AlertStoreError.self) {
                    try store.applyAlarm(
                        .shelve(kind: .timed, durationS: bad, reason: "r", by: Self.alice), alertID: "ALR-2",
                        network: "",
                        atWallUnixNs: now)
                }
            }
        }

        @Test(arguments: StoreKind.allCases) func closingOrphansEndsOneShotShelvingsAndPagingFiltersByAlarmState(
            kind: StoreKind
        ) throws {
            let place = try kind.fresh()
            defer { place.cleanup() }
            let store = try place.open()
            defer { store.close() }
            try store.save((1...5).map { AlertStoreTests.alert($0, t: Double($0)) })
            let now = WallTime.nowUnixNs()
            for id in ["ALR-1", "ALR-3", "ALR-5"] {
                try store.applyAlarm(
                    .acknowledge(by: Self.alice, comment: ""), alertID: id, network: "", atWallUnixNs: now)
            }
            try store.applyAlarm(
                .shelve(kind: .oneShot, durationS: 0, reason: "r", by: Self.alice), alertID: "ALR-2", network: "",
                atWallUnixNs: now)
            // Paging under an alarm-state filter: the token belongs to that filter.
            let query = AlertQuery(alarmStates: [.ackedActive])
            let first = try store.query(query, pageSize: 2, pageToken: nil)
            #expect(first.alerts.map(\.id) == ["ALR-1", "ALR-3"] && first.totalCount == 3)
            let second = try store.query(query, pageSize: 2, pageToken: first.nextPageToken)
            #expect(second.alerts.map(\.id) == ["ALR-5"] && second.nextPageToken == nil)
            #expect(throws: AlertStoreError.badPageToken(reason: "was issued for a different filter")) {
                try store.query(AlertQuery(alarmStates: [.normal]), pageSize: 2, pageToken: first.nextPageToken)
            }
            #expect(try store.closeOrphans(wallUnixNs: now) == 5)
            #expect(try store.alert(id: "ALR-2")?.shelving == nil)
            #expect(
                try store.query(AlertQuery(alarmStates: [.normal])).alerts.map(\.id) == ["ALR-1", "ALR-3", "ALR-5"])
            #expect(
                try store.query(AlertQuery(alarmStates: [.unackedReturned])).alerts.map(\.id) == ["ALR-2", "ALR-4"])
        }

        /// A save repeated without a change still returns the alarm state the row holds
        /// (PostgreSQL's revision trigger drops such an update, so it returns no row).
        @Test(arguments: StoreKind.allCases) func aRepeatedSaveReturnsTheStoredAlarmState(kind: StoreKind) throws {
            let place = try kind.fresh()
            defer { place.cleanup() }
            let store = try place.open(network: "a")
            defer { store.close() }
            let alert = AlertStoreTests.alert(1, t: 1, network: "a")
            try store.save(alert)
            _ = try store.applyAlarm(
                .acknowledge(by: Self.alice, comment: "seen"), alertID: "ALR-1", network: "a", atWallUnixNs: 5)
            #expect(try store.save(alert).acknowledgement?.comment == "seen")
        }

        /// A shared store: a server may act on another network's alert (named by network and id);
        /// the same id in two networks is two alerts.
        @Test(arguments: StoreKind.allCases) func actionsNameTheNetwork(kind: StoreKind) throws {
            let place = try kind.fresh()
            defer { place.cleanup() }
            let east = try place.open(network: "east")
            try east.save(AlertStoreTests.alert(1, t: 1, network: "east"))
            east.close()
            let west = try place.open(network: "west")
            defer { west.close() }
            try west.save(AlertStoreTests.alert(1, t: 2, network: "west"))
            try west.applyAlarm(
                .acknowledge(by: Self.alice, comment: "east's"), alertID: "ALR-1", network: "east", atWallUnixNs: 7)
            let acked = try west.query(AlertQuery(alarmStates: [.ackedActive])).alerts
            #expect(acked.map { "\($0.network)/\($0.id)" } == ["east/ALR-1"])
            #expect(try west.alert(id: "ALR-1")?.acknowledgement == nil)  // west's own ALR-1
        }

        /// Migrations are applied by version: a database that an older build left before the
        /// alarm columns (versions 1–3) gets them.
        @Test func postgresAlarmMigrationAppliesToAnOlderDatabase() throws {
            let pg = try TestPostgres.require()
            let url = try pg.createDatabase()
            let database = String(url.split(separator: "/").last!)
            do {
                let store = try PostgresAlertStore(url: url, network: "a")
                try store.save(AlertStoreTests.alert(1, t: 1, network: "a"))
                store.close()
            }
            try pg.psql(
                """
                DELETE FROM fluxion_migrations WHERE version = 4;
                ALTER TABLE alerts DROP COLUMN acked_operator, DROP COLUMN acked_token, DROP COLUMN acked_wall_ns,
                    DROP COLUMN ack_comment, DROP COLUMN shelve_kind, DROP COLUMN shelved_until_ns,
                    DROP COLUMN shelve_reason, DROP COLUMN shelved_operator, DROP COLUMN shelved_token,
                    DROP COLUMN shelved_wall_ns;
                """, database: database)
            let store = try PostgresAlertStore(url: url, network: "a")
            defer { store.close() }
            #expect(
                try pg.psql(
                    "SELECT string_agg(version::text, ',' ORDER BY version) FROM fluxion_migrations", database: database
                )
                .trimmingCharacters(in: .whitespacesAndNewlines) == "1,2,3,4")
            #expect(
                try store.applyAlarm(
                    .acknowledge(by: Self.alice, comment: "ok"), alertID: "ALR-1", network: "a", atWallUnixNs: 5)?.alert
                    .acknowledgement?.comment == "ok")
        }
    }
}

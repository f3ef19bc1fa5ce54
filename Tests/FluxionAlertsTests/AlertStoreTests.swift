import FluxionAlerts
import FluxionTestSupport
import Foundation
import Testing

/// The store test suite: every test runs on the SQLite store and on the PostgreSQL store (a real
/// server the suite starts and stops, `.postgres`), then what is particular to each.
@Suite(.postgres) struct AlertStoreSuite {}

extension AlertStoreSuite {
    @Suite struct AlertStoreTests {
        static func alert(
            _ n: Int, detector: String = "threshold", t: Double, p: Double = 0.9, station: String? = "STA",
            pipe: String? = "P1", state: AlertRecord.State = .raised, severity: AlertSeverity = .low,
            network: String = ""
        ) -> AlertRecord {
            AlertRecord(
                id: "ALR-\(n)", detector: detector, state: state, raisedSimTimeS: t,
                raisedWallUnixNs: 1_000 + Int64(n),
                clearedSimTimeS: state == .cleared ? t + 60 : nil, clearedWallUnixNs: state == .cleared ? 2_000 : nil,
                probability: p, severity: severity, pipeID: pipe, positionM: 1234.5, stationID: station,
                segmentID: "L", sizeFraction: 0.04, matchedLeakID: n % 2 == 0 ? "LK-\(n)" : nil, network: network)
        }

        @Test(arguments: StoreKind.allCases) func roundTripAndUpdateByID(kind: StoreKind) throws {
            let place = try kind.fresh()
            defer { place.cleanup() }
            let store = try place.open()
            defer { store.close() }
            var a = Self.alert(1, t: 10)
            try store.save(a)
            #expect(try store.alert(id: "ALR-1") == a)
            a.state = .cleared
            a.clearedSimTimeS = 70
            a.clearedWallUnixNs = 99
            a.updatedSimTimeS = 70
            a.probability = 0.97
            try store.save(a)
            #expect(try store.alert(id: "ALR-1") == a)
            #expect(try store.count() == 1)
            let noOptionals = AlertRecord(
                id: "ALR-2", detector: "lof", raisedSimTimeS: 5, raisedWallUnixNs: 1, probability: 0.8)
            try store.save(noOptionals)
            #expect(try store.alert(id: "ALR-2") == noOptionals)
            // Doubles come back bit for bit (PostgreSQL returns text: shortest exact digits).
            let odd = AlertRecord(
                id: "ALR-3", detector: "lof", raisedSimTimeS: 0.1 + 0.2, raisedWallUnixNs: .max,
                probability: 1.0 / 3.0, positionM: 5e-324, sizeFraction: 1.7976931348623157e308)
            try store.save(odd)
            #expect(try store.alert(id: "ALR-3") == odd)
        }

        @Test(arguments: StoreKind.allCases) func persistsAcrossCloseAndReopenAndIDsStayUnique(kind: StoreKind) throws {
            let place = try kind.fresh()
            defer { place.cleanup() }
            var ids: [String] = []
            do {
                let store = try place.open()
                for i in 0..<5 {
                    let id = store.reserveID()
                    ids.append(id)
                    var a = Self.alert(0, t: Double(i))
                    a.id = id
                    try store.save(a)
                }
                store.close()
            }
            let reopened = try place.open()
            defer { reopened.close() }
            #expect(try reopened.count() == 5)
            for id in ids { #expect(try reopened.alert(id: id) != nil) }
            let next = reopened.reserveID()
            #expect(!ids.contains(next))
            #expect(next == "ALR-6")
        }

        @Test(arguments: StoreKind.allCases) func savingTheSameBatchTwiceStoresEachAlertOnce(kind: StoreKind) throws {
            // What the writer does after a connection loss whose commit may have happened.
            let place = try kind.fresh()
            defer { place.cleanup() }
            let store = try place.open()
            defer { store.close() }
            let batch = (1...3).map { Self.alert($0, t: Double($0)) }
            try store.save(batch)
            try store.save(batch)
            #expect(try store.count() == 3)
            #expect(try store.query(AlertQuery(), pageSize: 10).alerts == batch)
        }

        @Test(arguments: StoreKind.allCases) func orphanedRaisedAlertsOfThisNetworkAreClosed(kind: StoreKind) throws {
            let place = try kind.fresh()
            defer { place.cleanup() }
            let store = try place.open(network: "north")
            defer { store.close() }
            try store.save([
                Self.alert(1, t: 10, network: "north"), Self.alert(2, t: 20, state: .cleared, network: "north"),
                Self.alert(3, t: 30, network: "south"),
            ])
            #expect(try store.closeOrphans(wallUnixNs: 5_000) == 1)
            let closed = try #require(try store.alert(id: "ALR-1"))
            #expect(closed.state == .cleared)
            #expect(closed.clearedSimTimeS == 10)
            #expect(closed.clearedWallUnixNs == 5_000)
            // Another network's raised alert belongs to a server that still runs.
            let south = try store.query(AlertQuery(networks: ["south"]), pageSize: 10).alerts
            #expect(south.map(\.state) == [.raised])
        }

        @Test(arguments: StoreKind.allCases) func networksShareOneStoreAndIDsAreScopedToTheirs(kind: StoreKind) throws {
            let place = try kind.fresh()
            defer { place.cleanup() }
            let north = try place.open(network: "north")
            defer { north.close() }
            // Two servers on one PostgreSQL database; SQLite keeps ids unique in the file.
            let south = kind == .postgres ? try place.open(network: "south") : north
            defer { if kind == .postgres { south.close() } }
            var saved: [AlertRecord] = []
            for (store, name, t) in [(north, "north", 1.0), (south, "south", 2.0), (north, "north", 3.0)] {
                var a = Self.alert(0, t: t, network: name)
                a.id = store.reserveID()
                try store.save(a)
                saved.append(a)
            }
            if kind == .postgres { #expect(saved.map(\.id) == ["ALR-1", "ALR-1", "ALR-2"]) }
            #expect(try north.query(AlertQuery(), pageSize: 10).alerts == saved)
            #expect(try north.query(AlertQuery(networks: ["south"]), pageSize: 10).alerts == [saved[1]])
            #expect(try south.query(AlertQuery(networks: ["north"]), pageSize: 10).totalCount == 2)
            let buckets = try north.aggregate(AlertQuery(), by: .network)
            #expect(buckets.map(\.key) == ["north", "south"])
            #expect(buckets.map(\.count) == [2, 1])
        }

        // MARK: SQLite only

        @Test func sqliteSchemaVersionIsWrittenAndANewerOneIsRefused() throws {
            let dir = try Fixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            let path = dir.appendingPathComponent("alerts.sqlite3").path
            try SQLiteAlertStore(path: path).close()
            #expect(try SQLiteProbe(path).userVersion() == SQLiteAlertStore.schemaVersion)
            try SQLiteProbe(path).setUserVersion(99)
            #expect(
                throws: AlertStoreError.schemaTooNew(path: path, found: 99, supported: SQLiteAlertStore.schemaVersion)
            ) {
                try SQLiteAlertStore(path: path)
            }
        }

        @Test func sqliteVersion1FileIsMigratedAndItsAlertsKept() throws {
            let dir = try Fixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            let path = dir.appendingPathComponent("alerts.sqlite3").path
            try SQLiteProbe(path).exec(SQLiteProbe.version1Schema)
            try SQLiteProbe(path).exec(
                """
                INSERT INTO alerts VALUES(7, 'ALR-7', 'thr', 1, 10.0, 5, NULL, NULL, 10.0, 0.9, 1, 'P1', 1.5,
                                          'STA', 'L', NULL, NULL, 0);
                PRAGMA user_version=1;
                """)
            let store = try SQLiteAlertStore(path: path)
            defer { store.close() }
            #expect(try SQLiteProbe(path).userVersion() == SQLiteAlertStore.schemaVersion)
            let a = try #require(try store.alert(id: "ALR-7"))
            #expect(a.network == "" && a.detector == "thr" && a.positionM == 1.5)
            // Version 3: alarm handling; a migrated alert is unacknowledged and not shelved.
            #expect(a.acknowledgement == nil && a.shelving == nil)
            #expect(a.alarmState(atWallUnixNs: 0) == .unackedActive)
            #expect(store.reserveID() == "ALR-8")
        }

        @Test func sqliteCorruptFileIsAClearErrorNamingTheFile() throws {
            let dir = try Fixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            let path = dir.appendingPathComponent("alerts.sqlite3").path
            try Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: AlertStoreError.self) { try SQLiteAlertStore(path: path) }
            guard case .corrupt(let p, _) = error else {
                Issue.record("expected .corrupt, got \(String(describing: error))")
                return
            }
            #expect(p == path)
            #expect(error?.description.contains(path) == true)
        }

        @Test func sqliteUnwritableDirectoryIsAClearErrorNamingTheFile() throws {
            let path = "/proc/fluxion-no-such-dir/alerts.sqlite3"
            let error = #expect(throws: AlertStoreError.self) { try SQLiteAlertStore(path: path) }
            #expect(error?.description.hasPrefix("alert store \(path): cannot open") == true)
        }

        // MARK: PostgreSQL only

        @Test func postgresUnreachableIsAClearErrorWithoutThePassword() throws {
            let port = try TestPostgres.freePort()
            let url = "postgresql://fluxion:s3cret@127.0.0.1:\(port)/alerts"
            let error = #expect(throws: AlertStoreError.self) { try PostgresAlertStore(url: url, network: "n") }
            guard case .unavailable(let location, _) = error else {
                Issue.record("expected .unavailable, got \(String(describing: error))")
                return
            }
            #expect(location == "postgresql://fluxion@127.0.0.1:\(port)/alerts")
            let text = error?.description ?? ""
            #expect(text.hasPrefix("alert store postgresql://fluxion@127.0.0.1:\(port)/alerts: unreachable: "))
            #expect(!text.contains("s3cret"))
            #expect(!text.contains("\n"))
        }

        @Test func postgresMigrationsAreVersionedAndANewerSchemaIsRefused() throws {
            let pg = try TestPostgres.require()
            let url = try pg.createDatabase()
            let database = String(url.split(separator: "/").last!)
            try PostgresAlertStore(url: url, network: "a").close()
            try PostgresAlertStore(url: url, network: "b").close()  // already migrated: nothing to do
            #expect(
                try pg.psql(
                    "SELECT string_agg(version::text, ',' ORDER BY version) FROM fluxion_migrations", database: database
                )
                .trimmingCharacters(in: .whitespacesAndNewlines)
                    == PostgresAlertStore.migrations.map { "\($0.version)" }.joined(separator: ","))
            #expect(PostgresAlertStore.migrations.map(\.version) == Array(1...PostgresAlertStore.schemaVersion))
            try pg.psql("INSERT INTO fluxion_migrations(version) VALUES (99)", database: database)
            let error = #expect(throws: AlertStoreError.self) { try PostgresAlertStore(url: url, network: "a") }
            #expect(error?.description.contains("schema version 99 is newer than this build supports") == true)
        }

        /// Two servers on one network id would close each other's raised alerts and reuse each
        /// other's ids: the second is refused while the first holds the network.
        @Test func postgresANetworkIsServedByOneServerAtATime() throws {
            let url = try TestPostgres.require().createDatabase()
            let first = try PostgresAlertStore(url: url, network: "trunk")
            let error = #expect(throws: AlertStoreError.self) { try PostgresAlertStore(url: url, network: "trunk") }
            #expect(error == .networkInUse(location: first.location, network: "trunk"))
            #expect(error?.description.contains("network 'trunk' is served by another fluxiond") == true)
            // The same server's second connection (its reader) and other networks are not refused.
            try first.reopen().close()
            try PostgresAlertStore(url: url, network: "branch").close()
            first.close()
            try PostgresAlertStore(url: url, network: "trunk").close()
        }

        @Test func postgresEightServersStartingAtOnceMigrateOnce() async throws {
            let url = try TestPostgres.require().createDatabase()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<8 {
                    group.addTask { try PostgresAlertStore(url: url, network: "n\(i)").close() }
                }
                try await group.waitForAll()
            }
        }

        @Test func postgresReconnectsAfterTheServerRestarts() throws {
            // A dedicated server: restarting the suite's would disturb tests running beside.
            let pg = try TestPostgres()
            defer { pg.stop() }
            let store = try PostgresAlertStore(url: try pg.createDatabase(), network: "n")
            defer { store.close() }
            try store.save(Self.alert(1, t: 1, network: "n"))
            try pg.stopServer()
            let down = #expect(throws: AlertStoreError.self) { try store.save(Self.alert(2, t: 2, network: "n")) }
            #expect(down?.isTransient == true)
            #expect(throws: AlertStoreError.self) { try store.count() }
            try pg.startServer()
            try store.save(Self.alert(2, t: 2, network: "n"))
            #expect(try store.count() == 2)
        }
    }
}

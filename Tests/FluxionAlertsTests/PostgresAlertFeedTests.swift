import FluxionTestSupport
import Foundation
import Testing

@testable import FluxionAlerts

extension AlertStoreSuite {
    /// `PostgresAlertFeed`: other writers' changes, once each, in order, across lost connections.
    @Suite struct PostgresAlertFeedTests {
        static func alert(_ n: Int, network: String, state: AlertRecord.State = .raised, p: Double = 0.9) -> AlertRecord
        {
            AlertStoreTests.alert(n, t: Double(n) * 100, p: p, state: state, network: network)
        }

        /// What the feed returns within `seconds` (at least one wait), as "network/id state p".
        static func drain(_ feed: any AlertChangeFeed, seconds: Double = 1.5, until count: Int = .max) -> [String] {
            var out: [String] = []
            let end = Date().addingTimeInterval(seconds)
            repeat {
                do {
                    out += try feed.next(timeoutS: 0.1).map {
                        "\($0.network)/\($0.id) \($0.state.name) \($0.probability)"
                    }
                } catch {
                    usleep(50_000)  // the connection was lost: the next call reconnects and catches up
                }
            } while Date() < end && out.count < count
            return out
        }

        static func database(_ url: String) -> String { String(url.split(separator: "/").last!) }

        @Test func returnsOtherWritersChangesOnceAndNotItsOwn() throws {
            let pg = try TestPostgres.require()
            let url = try pg.createDatabase()
            let north = try PostgresAlertStore(url: url, network: "north")
            defer { north.close() }
            let south = try PostgresAlertStore(url: url, network: "south")
            defer { south.close() }
            let feed = try #require(try north.changeFeed())
            defer { feed.close() }

            try south.save(Self.alert(1, network: "south"))
            try north.save(Self.alert(1, network: "north"))  // its own: published by its server
            #expect(Self.drain(feed, until: 1) == ["south/ALR-1 raised 0.9"])
            // A save repeated (its commit was not known) changes nothing: no revision, no event.
            try south.save(Self.alert(1, network: "south"))
            #expect(Self.drain(feed, seconds: 0.5) == [])
            try south.save([Self.alert(1, network: "south", state: .cleared), Self.alert(2, network: "south")])
            #expect(Self.drain(feed, until: 2) == ["south/ALR-1 cleared 0.9", "south/ALR-2 raised 0.9"])
            // Any change to a row, by anyone, whatever the column: here an operator's UPDATE of
            // an alert of the feed's own network.
            try pg.psql("UPDATE alerts SET probability = 0.5 WHERE network = 'north'", database: Self.database(url))
            #expect(Self.drain(feed, until: 1) == ["north/ALR-1 raised 0.5"])
            let revisions = try pg.psql(
                "SELECT network || '/' || alert_id || '=' || revision FROM alerts ORDER BY 1",
                database: Self.database(url))
            #expect(revisions.split(separator: "\n") == ["north/ALR-1=2", "south/ALR-1=2", "south/ALR-2=1"])
        }

        /// A change committed while the feed's connection is gone is caught up once it is back,
        /// including a change by a transaction that started before the feed's last watermark
        /// and committed during the gap (a naive "newer than the last change seen" would miss it).
        @Test func catchesUpAfterItsConnectionIsKilledWithoutLossOrDuplicates() throws {
            let pg = try TestPostgres.require()
            let url = try pg.createDatabase()
            let north = try PostgresAlertStore(url: url, network: "north")
            defer { north.close() }
            let south = try PostgresAlertStore(url: url, network: "south")
            defer { south.close() }
            let feed = try #require(try north.changeFeed() as? PostgresAlertFeed)
            defer { feed.close() }

            // A long transaction of another writer: begun now, committed during the gap.
            let slow = try PostgresConnection(url: url, origin: "east")
            defer { slow.close() }
            try slow.execute("BEGIN")
            try slow.query(
                "INSERT INTO alerts(id_n, \(PostgresAlertStore.upsertColumns)) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [.int(7)] + PostgresAlertStore.upsertValues(Self.alert(7, network: "east")))
            for n in 1...3 { try south.save(Self.alert(n, network: "south")) }
            // More than a fence interval: the watermark moves up to the slow transaction.
            #expect(Self.drain(feed, seconds: 2.5).count == 3)
            let killed = try pg.psql(
                """
                SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                WHERE application_name = 'fluxiond-relay' AND datname = '\(Self.database(url))'
                """, database: "postgres")
            #expect(killed.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
            usleep(200_000)
            try slow.execute("COMMIT")
            for n in 1...3 { try south.save(Self.alert(n, network: "south", state: .cleared)) }
            for n in 4...5 { try south.save(Self.alert(n, network: "south")) }
            let caught = Self.drain(feed, seconds: 2.5)
            #expect(
                caught.sorted()
                    == [
                        "east/ALR-7 raised 0.9", "south/ALR-1 cleared 0.9", "south/ALR-2 cleared 0.9",
                        "south/ALR-3 cleared 0.9", "south/ALR-4 raised 0.9", "south/ALR-5 raised 0.9",
                    ])
            #expect(feed.catchUps == 1)
            // Then live again, and what was returned is forgotten once below the watermark.
            try south.save(Self.alert(4, network: "south", state: .cleared))
            #expect(Self.drain(feed, seconds: 2.5) == ["south/ALR-4 cleared 0.9"])
            #expect(feed.remembered <= 1)
        }

        /// A database written by a build of schema version 1 is brought to 3 in place: its rows
        /// are history (not relayed), and their next change is relayed like any other.
        @Test func aVersion1DatabaseIsMigratedAndItsRowsRelayedWhenTheyChange() throws {
            let pg = try TestPostgres.require()
            let url = try pg.createDatabase()
            let database = Self.database(url)
            try pg.psql(
                "CREATE TABLE fluxion_migrations(version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                database: database)
            try pg.psql(PostgresAlertStore.migrations[0], database: database)
            try pg.psql(
                """
                INSERT INTO fluxion_migrations(version) VALUES (1);
                INSERT INTO alerts(network, alert_id, id_n, detector, state, raised_sim_s, raised_wall_ns,
                    updated_sim_s, probability, severity, hour_of_day)
                VALUES ('south', 'ALR-1', 1, 'threshold', 1, 100, 1, 100, 0.9, 1, 0)
                """, database: database)
            let north = try PostgresAlertStore(url: url, network: "north")
            defer { north.close() }
            #expect(
                try pg.psql(
                    "SELECT string_agg(version::text, ',' ORDER BY version) FROM fluxion_migrations", database: database
                ).trimmingCharacters(in: .whitespacesAndNewlines) == "1,2,3")
            #expect(
                try pg.psql("SELECT revision, changed_xid, origin FROM alerts", database: database)
                    .trimmingCharacters(in: .whitespacesAndNewlines) == "1|0|")
            let feed = try #require(try north.changeFeed())
            defer { feed.close() }
            #expect(Self.drain(feed, seconds: 0.5) == [])
            let south = try PostgresAlertStore(url: url, network: "south")
            defer { south.close() }
            var cleared = try #require(try south.alert(id: "ALR-1"))
            cleared.state = .cleared
            cleared.clearedSimTimeS = 160
            cleared.clearedWallUnixNs = 2
            cleared.updatedSimTimeS = 160
            try south.save(cleared)
            #expect(Self.drain(feed, until: 1) == ["south/ALR-1 cleared 0.9"])
        }

        @Test func arrayLiteralsQuoteEveryItem() {
            #expect(
                PostgresAlertFeed.arrayLiteral(["a", "b c", "q\"x", "s\\t", ""]) == #"{"a","b c","q\"x","s\\t",""}"#)
        }
    }
}

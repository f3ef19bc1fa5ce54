import FluxionAlerts
import FluxionTestSupport
import Foundation
import Testing

extension AlertStoreSuite {
    /// Filters, paging and aggregates against a hand-built set of alerts, on both stores.
    @Suite struct AlertQueryTests {
        /// Ten alerts, raised at hours 0…9 of sim day 1 (t = 86400 + 3600·i + 10):
        /// detector "thr" for even i, "lof" for odd; station STA for i < 4, STB for 4…7, none for 8, 9;
        /// pipe P1 for i < 5 else P2; probability 0.80 + 0.02·i; cleared when i % 3 == 0;
        /// severity low for i < 5, high otherwise.
        static func sample() -> [AlertRecord] {
            (0..<10).map { i in
                AlertStoreTests.alert(
                    i + 1, detector: i % 2 == 0 ? "thr" : "lof", t: 86_400 + 3_600 * Double(i) + 10,
                    p: 0.80 + 0.02 * Double(i), station: i < 4 ? "STA" : (i < 8 ? "STB" : nil),
                    pipe: i < 5 ? "P1" : "P2", state: i % 3 == 0 ? .cleared : .raised,
                    severity: i < 5 ? .low : .high)
            }
        }

        static func store(_ kind: StoreKind) throws -> (any AlertStore, StorePlace) {
            let place = try kind.fresh()
            let store = try place.open()
            try store.save(sample())
            return (store, place)
        }

        func ids(_ store: any AlertStore, _ q: AlertQuery) throws -> [String] {
            try store.query(q, pageSize: 1000).alerts.map(\.id)
        }

        @Test(arguments: StoreKind.allCases) func eachFilter(kind: StoreKind) throws {
            let (store, place) = try Self.store(kind)
            defer {
                store.close()
                place.cleanup()
            }
            #expect(try ids(store, AlertQuery()) == (1...10).map { "ALR-\($0)" })
            // Sim time: hours 2…4 of day 1 (i = 2, 3, 4), inclusive bounds.
            #expect(
                try ids(store, AlertQuery(simTimeRange: (86_400 + 7_210)...(86_400 + 14_410))) == [
                    "ALR-3", "ALR-4", "ALR-5",
                ])
            #expect(try ids(store, AlertQuery(wallTimeRange: 1_009...1_010)) == ["ALR-9", "ALR-10"])
            #expect(try ids(store, AlertQuery(detectors: ["lof"])) == ["ALR-2", "ALR-4", "ALR-6", "ALR-8", "ALR-10"])
            #expect(try ids(store, AlertQuery(detectors: ["lof", "thr"])).count == 10)
            #expect(try ids(store, AlertQuery(stationIDs: ["STB"])) == ["ALR-5", "ALR-6", "ALR-7", "ALR-8"])
            #expect(try ids(store, AlertQuery(stationIDs: [""])) == ["ALR-9", "ALR-10"])  // no station
            #expect(try ids(store, AlertQuery(pipeIDs: ["P2"])) == ["ALR-6", "ALR-7", "ALR-8", "ALR-9", "ALR-10"])
            #expect(try ids(store, AlertQuery(state: .cleared)) == ["ALR-1", "ALR-4", "ALR-7", "ALR-10"])
            // 0.80 + 0.02·i ≥ 0.95 ⇔ i ≥ 7.5 (0.96, 0.98); the computed 0.80 + 0.02·i is not exact,
            // so the threshold sits between two values rather than on one.
            #expect(try ids(store, AlertQuery(minProbability: 0.95)) == ["ALR-9", "ALR-10"])
            #expect(try ids(store, AlertQuery(minSeverity: .medium)) == ["ALR-6", "ALR-7", "ALR-8", "ALR-9", "ALR-10"])
            // Combined: lof on STB, raised.
            #expect(
                try ids(store, AlertQuery(detectors: ["lof"], stationIDs: ["STB"], state: .raised)) == [
                    "ALR-6", "ALR-8",
                ])
            #expect(try store.query(AlertQuery(detectors: ["lof"])).totalCount == 5)
            #expect(throws: AlertStoreError.invalidFilter(field: "min_probability", reason: "must be 0…1, got 1.5")) {
                try store.query(AlertQuery(minProbability: 1.5))
            }
        }

        @Test(arguments: StoreKind.allCases) func pagingHasNoDuplicatesNoGapsAndIsStableUnderLaterInserts(
            kind: StoreKind
        ) throws {
            let (store, place) = try Self.store(kind)
            defer {
                store.close()
                place.cleanup()
            }
            // Two more alerts at the same raise time as ALR-5: the sequence breaks the tie.
            try store.save([
                AlertStoreTests.alert(11, t: 86_400 + 14_410), AlertStoreTests.alert(12, t: 86_400 + 14_410),
            ])
            var seen: [String] = []
            var token: String?
            var pages = 0
            repeat {
                let page = try store.query(AlertQuery(), pageSize: 3, pageToken: token)
                #expect(page.totalCount == 12 + (pages >= 2 ? 1 : 0))
                seen += page.alerts.map(\.id)
                token = page.nextPageToken
                pages += 1
                // After two pages, a later alert arrives: it must show up once, at the end.
                if pages == 2 { try store.save(AlertStoreTests.alert(13, t: 200_000)) }
            } while token != nil
            let expected = [
                "ALR-1", "ALR-2", "ALR-3", "ALR-4", "ALR-5", "ALR-11", "ALR-12", "ALR-6", "ALR-7", "ALR-8",
                "ALR-9", "ALR-10", "ALR-13",
            ]
            #expect(seen == expected)
            #expect(pages == 5)
        }

        @Test(arguments: StoreKind.allCases) func badPageTokensAreRejected(kind: StoreKind) throws {
            let (store, place) = try Self.store(kind)
            defer {
                store.close()
                place.cleanup()
            }
            #expect(throws: AlertStoreError.badPageToken(reason: "not a token this server issued")) {
                try store.query(AlertQuery(), pageSize: 100, pageToken: "garbage!")
            }
            let token = try #require(try store.query(AlertQuery(), pageSize: 2).nextPageToken)
            #expect(throws: AlertStoreError.badPageToken(reason: "was issued for a different filter")) {
                try store.query(AlertQuery(detectors: ["thr"]), pageSize: 100, pageToken: token)
            }
        }

        @Test(arguments: StoreKind.allCases) func aggregatesMatchHandComputedValues(kind: StoreKind) throws {
            let (store, place) = try Self.store(kind)
            defer {
                store.close()
                place.cleanup()
            }
            let tolerance = 1e-12  // sums of a few doubles near 1: rounding only
            func check(_ b: AlertBucketSummary, _ key: String, _ count: Int, _ mean: Double, _ max: Double) {
                #expect(b.key == key)
                #expect(b.count == count)
                #expect(abs(b.meanProbability - mean) < tolerance, "\(key) mean \(b.meanProbability) ≠ \(mean)")
                #expect(abs(b.maxProbability - max) < tolerance)
            }
            let stations = try store.aggregate(AlertQuery(), by: .station)
            #expect(stations.map(\.key) == ["", "STA", "STB"])
            check(stations[0], "", 2, (0.96 + 0.98) / 2, 0.98)
            check(stations[1], "STA", 4, (0.80 + 0.82 + 0.84 + 0.86) / 4, 0.86)
            check(stations[2], "STB", 4, (0.88 + 0.90 + 0.92 + 0.94) / 4, 0.94)
            let hours = try store.aggregate(AlertQuery(), by: .hourOfDay)
            #expect(hours.map(\.key) == (0..<10).map { String(format: "%02d", $0) })
            check(hours[3], "03", 1, 0.86, 0.86)
            let detectors = try store.aggregate(AlertQuery(state: .raised), by: .detector)
            // Raised: i = 1, 2, 4, 5, 7, 8 → lof: 1, 5, 7 (0.82, 0.90, 0.94); thr: 2, 4, 8 (0.84, 0.88, 0.96).
            check(detectors[0], "lof", 3, (0.82 + 0.90 + 0.94) / 3, 0.94)
            check(detectors[1], "thr", 3, (0.84 + 0.88 + 0.96) / 3, 0.96)
        }

        @Test func hourOfDayWrapsDays() {
            #expect(AlertRecord.hourOfDay(simTimeS: 0) == 0)
            #expect(AlertRecord.hourOfDay(simTimeS: 3_599.9) == 0)
            #expect(AlertRecord.hourOfDay(simTimeS: 23 * 3_600 + 1) == 23)
            #expect(AlertRecord.hourOfDay(simTimeS: 86_400 + 7_200) == 2)
        }
    }
}

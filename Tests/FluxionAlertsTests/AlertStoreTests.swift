import FluxionAlerts
import Foundation
import Testing

@Suite struct AlertStoreTests {
    static func alert(
        _ n: Int, detector: String = "threshold", t: Double, p: Double = 0.9, station: String? = "STA",
        pipe: String? = "P1", state: AlertRecord.State = .raised, severity: AlertSeverity = .low
    ) -> AlertRecord {
        AlertRecord(
            id: "ALR-\(n)", detector: detector, state: state, raisedSimTimeS: t, raisedWallUnixNs: 1_000 + Int64(n),
            clearedSimTimeS: state == .cleared ? t + 60 : nil, clearedWallUnixNs: state == .cleared ? 2_000 : nil,
            probability: p, severity: severity, pipeID: pipe, positionM: 1234.5, stationID: station,
            segmentID: "L", sizeFraction: 0.04, matchedLeakID: n % 2 == 0 ? "LK-\(n)" : nil)
    }

    @Test func roundTripAndUpdateByID() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try AlertStore(directory: dir.path)
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
    }

    @Test func persistsAcrossCloseAndReopenAndIDsStayUnique() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var ids: [String] = []
        do {
            let store = try AlertStore(directory: dir.path)
            for i in 0..<5 {
                let id = store.reserveID()
                ids.append(id)
                var a = Self.alert(0, t: Double(i))
                a.id = id
                try store.save(a)
            }
            store.close()
        }
        let reopened = try AlertStore(directory: dir.path)
        #expect(try reopened.count() == 5)
        for id in ids { #expect(try reopened.alert(id: id) != nil) }
        let next = reopened.reserveID()
        #expect(!ids.contains(next))
        #expect(next == "ALR-6")
    }

    @Test func orphanedRaisedAlertsAreClosedOnRequest() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try AlertStore(directory: dir.path)
        try store.save([Self.alert(1, t: 10), Self.alert(2, t: 20, state: .cleared)])
        #expect(try store.closeOrphans(wallUnixNs: 5_000) == 1)
        let closed = try #require(try store.alert(id: "ALR-1"))
        #expect(closed.state == .cleared)
        #expect(closed.clearedSimTimeS == 10)
        #expect(closed.clearedWallUnixNs == 5_000)
    }

    @Test func schemaVersionIsWrittenAndANewerOneIsRefused() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("alerts.sqlite3").path
        try AlertStore(path: path).close()
        #expect(try Self.userVersion(path) == AlertStore.schemaVersion)
        try Self.setUserVersion(path, 99)
        #expect(throws: AlertStoreError.schemaTooNew(path: path, found: 99, supported: AlertStore.schemaVersion)) {
            try AlertStore(path: path)
        }
    }

    @Test func corruptFileIsAClearErrorNamingTheFile() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("alerts.sqlite3").path
        try Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: AlertStoreError.self) { try AlertStore(path: path) }
        guard case .corrupt(let p, _) = error else {
            Issue.record("expected .corrupt, got \(String(describing: error))")
            return
        }
        #expect(p == path)
        #expect(error?.description.contains(path) == true)
    }

    @Test func unwritableDirectoryIsAClearErrorNamingTheFile() throws {
        let path = "/proc/fluxion-no-such-dir/alerts.sqlite3"
        let error = #expect(throws: AlertStoreError.self) { try AlertStore(path: path) }
        #expect(error?.description.hasPrefix("alert store \(path): cannot open") == true)
    }

    // MARK: helpers (the sqlite3 shell may not be installed: use the store's own library via a raw open)

    static func userVersion(_ path: String) throws -> Int { try SQLiteProbe(path).userVersion() }
    static func setUserVersion(_ path: String, _ v: Int) throws { try SQLiteProbe(path).setUserVersion(v) }
}

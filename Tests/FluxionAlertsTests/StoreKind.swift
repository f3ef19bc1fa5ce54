import FluxionAlerts
import FluxionTestSupport
import Foundation
import Testing

/// The two alert stores: every test of `AlertStoreTests` and `AlertQueryTests` runs on both.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// A fresh, empty place for a store of this kind, and how to open stores on it.
    func fresh() throws -> StorePlace {
        switch self {
        case .sqlite:
            let dir = try Fixtures.temporaryDirectory()
            return StorePlace(kind: self, address: dir.appendingPathComponent(SQLiteAlertStore.fileName).path) {
                try? FileManager.default.removeItem(at: dir)
            }
        case .postgres:
            return StorePlace(kind: self, address: try TestPostgres.require().createDatabase()) {}
        }
    }
}

/// One empty store location (a file, or a database of the suite's PostgreSQL).
struct StorePlace {
    let kind: StoreKind
    let address: String
    let cleanup: () -> Void

    func open(network: String = "") throws -> any AlertStore {
        switch kind {
        case .sqlite: try SQLiteAlertStore(path: address, network: network)
        case .postgres: try PostgresAlertStore(url: address, network: network)
        }
    }
}

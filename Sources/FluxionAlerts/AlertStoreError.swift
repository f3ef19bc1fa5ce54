/// What can go wrong with the alert store. Every case names the file or database it concerns
/// (a PostgreSQL address never with its password).
public enum AlertStoreError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file (or its directory) cannot be opened or created.
    case cannotOpen(path: String, reason: String)
    /// The file is not an SQLite database, or is damaged.
    case corrupt(path: String, reason: String)
    /// The file was written by a newer build with a schema this one does not know.
    case schemaTooNew(path: String, found: Int, supported: Int)
    /// An SQLite call failed (disk full, I/O error, …).
    case sqlite(path: String, operation: String, code: Int32, reason: String)
    /// The database cannot be reached, or the connection was lost (PostgreSQL). Transient: the
    /// same call may succeed later.
    case unavailable(location: String, reason: String)
    /// A PostgreSQL statement failed for another reason (`code` is the SQLSTATE).
    case database(location: String, operation: String, code: String, reason: String)
    /// Another server's session holds the network's lock: two fluxiond may not serve one
    /// network id on one database (each would close the other's alerts and reuse its ids).
    case networkInUse(location: String, network: String)
    /// A page token that this store did not hand out, or one for another filter.
    case badPageToken(reason: String)
    /// A filter value that cannot be used.
    case invalidFilter(field: String, reason: String)
    /// No alert with this id in this network (an alarm action).
    case alertNotFound(network: String, id: String)
    /// An alarm action that does not apply to the alert as it is (already acknowledged, not
    /// shelved, …).
    case alarmRefused(reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "alert store \(path): cannot open: \(reason)"
        case .corrupt(let path, let reason): "alert store \(path): not a valid alert database: \(reason)"
        case .schemaTooNew(let path, let found, let supported):
            "alert store \(path): schema version \(found) is newer than this build supports (\(supported))"
        case .sqlite(let path, let operation, let code, let reason):
            "alert store \(path): \(operation) failed (SQLite \(code)): \(reason)"
        case .unavailable(let location, let reason): "alert store \(location): unreachable: \(reason)"
        case .database(let location, let operation, let code, let reason):
            "alert store \(location): \(operation) failed (PostgreSQL \(code)): \(reason)"
        case .networkInUse(let location, let network):
            "alert store \(location): network '\(network)' is served by another fluxiond on this database (give each server its own --network)"
        case .badPageToken(let reason): "page_token: \(reason)"
        case .invalidFilter(let field, let reason): "\(field): \(reason)"
        case .alertNotFound(let network, let id):
            network.isEmpty ? "no alert \(id)" : "no alert \(id) in network '\(network)'"
        case .alarmRefused(let reason): reason
        }
    }

    /// Whether the caller is at fault (bad token or filter: INVALID_ARGUMENT on the wire)
    /// rather than the server (INTERNAL).
    public var isCallerError: Bool {
        switch self {
        case .badPageToken, .invalidFilter: true
        default: false
        }
    }

    /// Whether the same call may succeed later (the database went away and may come back).
    public var isTransient: Bool {
        if case .unavailable = self { return true }
        return false
    }
}

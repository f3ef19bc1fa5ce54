import FluxionAlerts
import Foundation
import Logging

/// Writes the audit trail (`AuditStore`, `audit.sqlite3` in the data directory) on its own
/// thread, so an fsync never holds up the loop. Entries are written in the order recorded; the
/// store is touched only on the serial queue.
public final class AuditTrail: @unchecked Sendable {
    private let store: AuditStore
    private let queue = DispatchQueue(label: "fluxion-audit")
    private let logger: Logger

    public init(directory: String, logger: Logger) throws(AlertStoreError) {
        store = try AuditStore(directory: directory)
        self.logger = logger
    }

    public var path: String { store.path }

    /// Queues one entry (loop thread); a write that fails is logged as an error.
    public func record(_ entry: AuditStore.Entry) {
        queue.async { [self] in
            do throws(AlertStoreError) { try store.append(entry) } catch {
                logger.error(
                    "audit trail: \(entry.method) by '\(entry.tokenID)' from \(entry.peer) not recorded: \(error)")
            }
        }
    }

    /// Waits until every entry recorded so far is written (shutdown).
    public func flush() { queue.sync {} }
}

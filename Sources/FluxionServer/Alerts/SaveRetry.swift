import FluxionAlerts
import Foundation
import Logging
import Synchronization

/// How the alert writer waits out a store that went away (PostgreSQL restarted, network
/// down): it repeats the save, on the writer's thread, with a backoff from 50 ms to 2 s, until
/// it succeeds. Repeating is safe: a save is a set of upserts by (network, id), so a commit
/// that happened before the connection broke is not duplicated by the repeat.
///
/// Meanwhile the loop thread goes on: `AlertService` holds the new events (bounded by
/// `maxPendingEvents`) and sends them as the next save once this one returns. Only transient
/// errors (`AlertStoreError.isTransient`) are retried; any other failure ends the save at once.
///
/// At shutdown (`stop`) a store that is still unreachable is given `shutdownGraceS` more; then
/// the save fails and its events, never published, are logged as not stored.
final class SaveRetry: Sendable {
    struct Outcome: Sendable {
        /// Attempts that failed before the one that succeeded.
        var failedAttempts: Int
        /// The alerts as stored (with the alarm state the store holds).
        var stored: [AlertRecord] = []
    }

    static let firstDelayS = 0.05
    static let maxDelayS = 2.0
    static let shutdownGraceS = 5.0
    private let stoppedAt = Mutex<ContinuousClock.Instant?>(nil)
    private let logger: Logger?

    init(logger: Logger? = nil) { self.logger = logger }

    /// From now on a save gives up `shutdownGraceS` after this call. Any thread.
    func stop() { stoppedAt.withLock { if $0 == nil { $0 = .now } } }

    /// Saves `records`, retrying transient failures (see the type's documentation). Writer thread.
    func save(_ records: [AlertRecord], to store: any AlertStore) throws(AlertStoreError) -> Outcome {
        var failures = 0
        var delay = Self.firstDelayS
        let started = ContinuousClock.now
        var lastReport = started
        while true {
            do throws(AlertStoreError) {
                let stored = try store.save(records)
                return Outcome(failedAttempts: failures, stored: stored)
            } catch  where error.isTransient {
                failures += 1
                if let stopped = stoppedAt.withLock({ $0 }),
                    ContinuousClock.now - stopped > .seconds(Self.shutdownGraceS)
                {
                    throw error
                }
                if failures == 1 || ContinuousClock.now - lastReport > .seconds(30) {
                    lastReport = .now
                    logger?.warning(
                        "\(error); retrying (\(failures) attempts over \(ContinuousClock.now - started)), \(records.count) alerts held until it is back"
                    )
                }
                Thread.sleep(forTimeInterval: delay)
                delay = min(delay * 2, Self.maxDelayS)
            }
        }
    }
}

import FluxionAlerts
import Foundation
import Logging
import Synchronization

/// Brings the alert changes of other servers sharing the store (other networks, through
/// PostgreSQL LISTEN/NOTIFY: `PostgresAlertFeed`) to this server's StreamAlerts clients.
///
/// ```
///  fluxion-alert-relay thread: feed.next (waits on its own connection) ─┐ records, in order
///  loop thread:                deliver(records) → AlertFanout ◀─────────┘ (loop.execute)
/// ```
///
/// The feed lives on its own thread, never the loop thread: it waits for notifications, and for
/// a database that went away (retried with a backoff of 50 ms doubling to 2 s; every retry
/// reconnects, LISTENs again and catches up, so nothing is lost). Batches go to the loop thread
/// in order, at most `maxBatch` records each; at most `maxBatchesQueued` wait there at a time
/// (the relay thread waits for the loop, and the database's notification queue holds the
/// rest), so what the relay queues on the loop is bounded whatever the loop does. Slow clients are the fan-out's business, with the same rule
/// as local events (RESOURCE_EXHAUSTED past the backlog limit).
final class AlertRelay: @unchecked Sendable {
    static let waitS = 0.25
    static let maxBatchesQueued = 16
    static let maxBatch = 500
    static let firstDelayS = 0.05
    static let maxDelayS = 2.0

    private let feed: any AlertChangeFeed
    private let location: String
    private let loop: EventLoop
    private let deliver: LoopBound<([AlertRecord]) -> Void>
    private let logger: Logger
    private let state = Mutex<(stopped: Bool, queued: Int)>((false, 0))
    private let finished = DispatchSemaphore(value: 0)

    /// - Parameter deliver: runs on the loop thread with each batch, in order.
    init(
        feed: any AlertChangeFeed, location: String, loop: EventLoop, logger: Logger,
        deliver: @escaping ([AlertRecord]) -> Void
    ) {
        self.feed = feed
        self.location = location
        self.loop = loop
        self.logger = logger
        self.deliver = LoopBound(deliver)
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "fluxion-alert-relay"
        thread.start()
    }

    /// No batch is handed to the loop after this returns. Waits up to 1 s for the thread to
    /// close its connection (a libpq call that hangs on a dead network is left to finish; the
    /// thread then exits on its own).
    func stop() {
        state.withLock { $0.stopped = true }
        _ = finished.wait(timeout: .now() + 1)
    }

    private var isStopped: Bool { state.withLock { $0.stopped } }

    private func run() {
        var failures = 0
        var delay = Self.firstDelayS
        var lastReport = ContinuousClock.now
        var catchUps = feed.catchUps
        while !isStopped {
            do throws(AlertStoreError) {
                let records = try feed.next(timeoutS: Self.waitS)
                if feed.catchUps != catchUps {
                    catchUps = feed.catchUps
                    logger.notice(
                        "alert relay \(location): listening again after \(failures) failed attempts; \(records.count) changes caught up"
                    )
                }
                failures = 0
                delay = Self.firstDelayS
                // In slices: after a long gap a catch-up can be large, and each slice is one
                // turn of the loop.
                var start = 0
                while start < records.count, !isStopped {
                    let end = min(start + Self.maxBatch, records.count)
                    hand(Array(records[start..<end]))
                    start = end
                }
            } catch {
                failures += 1
                if failures == 1 || ContinuousClock.now - lastReport > .seconds(30) {
                    lastReport = .now
                    logger.warning(
                        "alert relay: \(error); retrying (other networks' alert events wait in the database)")
                }
                sleep(delay)
                delay = min(delay * 2, Self.maxDelayS)
            }
        }
        feed.close()
        finished.signal()
    }

    /// Hands `records` to the loop thread once fewer than `maxBatchesQueued` wait there.
    private func hand(_ records: [AlertRecord]) {
        let deliver = deliver
        while true {
            let handed = state.withLock { s -> Bool? in
                guard !s.stopped else { return nil }
                guard s.queued < Self.maxBatchesQueued else { return false }
                s.queued += 1
                // Under the lock: nothing reaches the loop after `stop`.
                loop.execute { [self] in
                    state.withLock { $0.queued -= 1 }
                    deliver.value(records)
                }
                return true
            }
            guard handed == false else { return }
            usleep(1000)
        }
    }

    /// Sleeps `seconds`, waking early when stopped.
    private func sleep(_ seconds: Double) {
        let end = ContinuousClock.now + .seconds(seconds)
        while !isStopped, ContinuousClock.now < end { usleep(10_000) }
    }
}

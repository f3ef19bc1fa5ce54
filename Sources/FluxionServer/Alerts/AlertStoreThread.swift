import FluxionAlerts
import Foundation
import Synchronization

/// One `AlertStore` connection used on its own thread (a serial queue), never on the loop
/// thread: SQLite waits for locks (up to its 5 s busy timeout) and fsyncs every commit,
/// PostgreSQL waits for the network and its WAL flush, and any of these would stall every
/// connection of the server. A `LoopWorker`: work runs in the order
/// handed over, completions run on the loop thread in the same order.
///
/// `AlertService` keeps two: a writer (saves, in order) and a reader (QueryAlerts,
/// AggregateAlerts), so that queries are answered while a write waits (for a lock another
/// process holds, or for a database that went away).
public final class AlertStoreThread: LoopWorker, @unchecked Sendable {
    public let workerName: String
    /// The store's file or address.
    public let location: String
    private let store: any AlertStore
    private let queue: DispatchQueue
    private let loop: EventLoop
    private let stopped = Mutex(false)

    /// Takes `store` over: from now on only this thread touches it (except `reserveID`).
    init(store: any AlertStore, loop: EventLoop, name: String) {
        self.store = store
        self.loop = loop
        location = store.location
        workerName = name
        queue = DispatchQueue(label: "fluxion-\(name.replacingOccurrences(of: " ", with: "-"))")
    }

    public func perform<T: Sendable>(
        _ body: @escaping @Sendable (inout any AlertStore) throws(AlertStoreError) -> T,
        completion: @escaping @Sendable (Result<T, AlertStoreError>) -> Void
    ) throws(WorkerStopped) {
        let loop = self.loop
        // Queued under the lock, so that nothing slips in after `stop` has drained the queue.
        let queued = stopped.withLock { stopped -> Bool in
            guard !stopped else { return false }
            queue.async { [self] in
                var subject = store
                let result: Result<T, AlertStoreError>
                do throws(AlertStoreError) { result = .success(try body(&subject)) } catch {
                    result = .failure(error)
                }
                loop.execute { completion(result) }
            }
            return true
        }
        guard queued else { throw WorkerStopped(worker: workerName) }
    }

    /// Waits until everything queued so far has run and its completion has been handed to the
    /// loop (shutdown: the loop runs those before it closes).
    func waitUntilIdle() { queue.sync {} }

    /// Refuses further work, waits for the queued work, closes the connection.
    func stop() {
        stopped.withLock { $0 = true }
        queue.sync { store.close() }
    }
}

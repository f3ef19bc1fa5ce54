import FluxionDetectorKit
import Foundation

/// Runs a `DetectorHost` on its own worker thread so detector work never runs on the server's
/// loop thread.
///
/// ```
///  any thread ── submit(ticks) ──┐                      ┌──► onSignals([AlertSignal])  (worker thread)
///  any thread ── perform(cmd) ───┴► one FIFO queue ──► worker: host.process / cmd(host)
///                                                       └──► completion(result)         (worker thread)
/// ```
///
/// Ticks and commands share one FIFO queue, so a command (load, activate, swap) takes effect
/// exactly between two ticks: a swap never drops a tick between the old and the new detector.
/// The queue holds at most `tickCapacity` ticks; when full, the oldest queued tick is dropped
/// and counted in `ticksDropped` (the loop thread never waits). Commands are never dropped.
public final class DetectorManager: @unchecked Sendable {
    private enum Item {
        case tick(DetectorTick)
        case command(() -> Void)
    }

    /// Called on the worker thread with the signals of one or more ticks (per tick, one per
    /// active detector that answered), in tick order; never with an empty array. Hop to your own thread before touching thread-confined state.
    public typealias SignalHandler = @Sendable ([AlertSignal]) -> Void
    /// Called on the worker thread when a detector fails while processing a tick.
    public typealias FailureHandler = @Sendable (DetectorError) -> Void

    private let host: DetectorHost
    private let onSignals: SignalHandler
    private let onFailure: FailureHandler
    public let tickCapacity: Int
    private let condition = NSCondition()
    private var queue: [Item] = []
    private var queuedTicks = 0
    private var running = true
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)
    private var dropped: UInt64 = 0

    public init(
        host: DetectorHost, tickCapacity: Int = 4096, onFailure: @escaping FailureHandler = { _ in },
        onSignals: @escaping SignalHandler
    ) {
        self.host = host
        self.tickCapacity = max(tickCapacity, 1)
        self.onSignals = onSignals
        self.onFailure = onFailure
        let thread = Thread { [self] in run() }
        thread.name = "fluxion-detectors"
        self.thread = thread
        thread.start()
    }

    /// Ticks dropped because the queue was full.
    public var ticksDropped: UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return dropped
    }

    /// Queues ticks for every active detector. Never blocks.
    public func submit(_ ticks: [DetectorTick]) {
        condition.lock()
        for tick in ticks {
            if queuedTicks >= tickCapacity, dropOldestTick() { dropped += 1 }
            queue.append(.tick(tick))
            queuedTicks += 1
        }
        condition.signal()
        condition.unlock()
    }

    /// Runs `body` with the host on the worker thread, between ticks; `completion` gets the
    /// result on the worker thread (fluxiond's `DetectorWorker` hands it to the loop thread).
    /// - Returns: false once the manager has stopped: nothing was queued and `completion` is
    ///   never called. Work queued before `stop` still runs.
    @discardableResult
    public func perform<T: Sendable>(
        _ body: @escaping @Sendable (DetectorHost) throws(DetectorError) -> T,
        completion: @escaping @Sendable (Result<T, DetectorError>) -> Void
    ) -> Bool {
        let host = self.host
        return enqueue {
            do throws(DetectorError) { completion(.success(try body(host))) } catch { completion(.failure(error)) }
        }
    }

    /// `perform`, waiting for the result (tests, tools; never from the loop thread).
    public func performAndWait<T: Sendable>(
        _ body: @escaping @Sendable (DetectorHost) throws(DetectorError) -> T
    ) throws(DetectorError) -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        let queued = perform(body) { result in
            box.result = result
            done.signal()
        }
        precondition(queued, "performAndWait on a stopped DetectorManager")
        done.wait()
        return try box.result!.get()
    }

    /// Waits until everything queued so far has been processed.
    public func drain() {
        let done = DispatchSemaphore(value: 0)
        if enqueue({ done.signal() }) { done.wait() }
    }

    /// Stops the worker after the queue is processed; waits for it.
    public func stop() {
        condition.lock()
        let wasRunning = running
        running = false
        condition.signal()
        condition.unlock()
        if wasRunning { finished.wait() }
    }

    /// Queues a command; false (nothing queued) once stopped.
    private func enqueue(_ command: @escaping () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard running else { return false }
        queue.append(.command(command))
        condition.signal()
        return true
    }

    /// Removes the oldest queued tick (lock held); false when none is queued.
    private func dropOldestTick() -> Bool {
        guard let i = queue.firstIndex(where: { if case .tick = $0 { true } else { false } }) else {
            return false
        }
        queue.remove(at: i)
        queuedTicks -= 1
        return true
    }

    private func run() {
        while true {
            condition.lock()
            while running, queue.isEmpty { condition.wait() }
            if queue.isEmpty {
                condition.unlock()
                break
            }
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            queuedTicks = 0
            condition.unlock()

            var signals: [AlertSignal] = []
            for item in batch {
                switch item {
                case .tick(let tick):
                    signals += host.process(tick, onFailure: onFailure)
                case .command(let command):
                    if !signals.isEmpty { onSignals(signals); signals.removeAll() }
                    command()
                }
            }
            if !signals.isEmpty { onSignals(signals) }
        }
        finished.signal()
    }
}

private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, DetectorError>?
}

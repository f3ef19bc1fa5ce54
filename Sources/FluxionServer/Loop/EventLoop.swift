import CLibUV
import Synchronization

/// The libuv loop and the one thread that owns it.
///
/// Everything in FluxionServer runs on this loop's thread, except `execute`, which any thread
/// may call: it queues the work and wakes the loop with `uv_async_send`. libuv merges several
/// sends into one callback, so the callback runs everything queued at that moment.
///
/// Threads and the rules between them:
///
/// ```
///  loop thread (this)      sockets, calls, fan-outs, every service's state, the alert engine
///  fluxion-twin            TwinHost: the physics                          ┐ each a LoopWorker:
///  fluxion-detectors       DetectorManager: the plugins (DetectorWorker)   │ work handed over with
///  the alert store         AlertStoreThread: SQLite writes (fsync), reads  ┘ perform, answered here
///  fluxion-audit           AuditTrail: the audit file (fire and forget)
/// ```
///
/// - The loop thread never waits: no SQLite, file or fsync, no lock another thread holds for
///   long, no physics or detector work.
/// - Work that must leave the loop and come back with an answer goes through a `LoopWorker`:
///   `perform(body) { result in … }` — the body runs on the worker's thread, the completion on
///   THIS thread, in order. An RPC answered that way uses `Router.unary(_:on:_:answer:)`, the
///   one helper: it decodes, hands over, and finishes the call with the answer or the
///   failure's status. Never finish a call or touch a service from a worker thread.
public final class EventLoop: @unchecked Sendable {
    let raw: UnsafeMutablePointer<uv_loop_t>
    private let async: UnsafeMutablePointer<uv_async_t>
    private let pending = Mutex<[@Sendable () -> Void]>([])
    private var asyncClosed = false
    /// One read buffer for all of this loop's connections: reads are sequential on the loop
    /// thread, and each read's bytes are copied into its connection's decoder before the next.
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)

    public init() throws(UVError) {
        raw = .allocate(capacity: 1)
        try UVError.check(uv_loop_init(raw), "uv_loop_init")
        async = .allocate(capacity: 1)
        try UVError.check(uv_async_init(raw, async, onAsync), "uv_async_init")
        async.pointee.data = Unmanaged.passUnretained(self).toOpaque()
    }

    /// Runs `work` on the loop thread soon. Safe from any thread.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        pending.withLock { $0.append(work) }
        uv_async_send(async)
    }

    /// Runs the loop until no handle is left active (the server has shut down).
    public func run() {
        uv_run(raw, UV_RUN_DEFAULT)
    }

    /// The loop's cached clock in milliseconds.
    var nowMs: UInt64 { uv_now(raw) }

    /// Closes the wake-up handle so that `run` can return once everything else has closed.
    func closeWakeup() {
        guard !asyncClosed else { return }
        asyncClosed = true
        // At shutdown nothing else needs the loop: run work until none is left, including work
        // queued by the work itself (no later callback will come for it).
        while drain() {}
        uv_close(UnsafeMutableRawPointer(async).assumingMemoryBound(to: uv_handle_t.self), nil)
    }

    /// Runs what was queued when the callback fired, and no more: work queued meanwhile gets
    /// its own callback after the loop has polled I/O again (libuv calls the callback once more
    /// for any send after it cleared its pending flag). Draining until empty would starve I/O
    /// whenever another thread refills the queue as fast as it is drained.
    /// Returns whether anything ran.
    @discardableResult
    fileprivate func drain() -> Bool {
        let work = pending.withLock { q -> [@Sendable () -> Void] in
            let items = q
            q.removeAll(keepingCapacity: true)
            return items
        }
        for item in work { item() }
        return !work.isEmpty
    }

    deinit {
        uv_loop_close(raw)
        raw.deallocate()
        readBuffer.deallocate()
        // The async handle's memory is left to the process: it may be freed only after its
        // close callback, and the loop lives as long as the server process.
    }
}

private let onAsync: uv_async_cb = { handle in
    guard let data = handle?.pointee.data else { return }
    Unmanaged<EventLoop>.fromOpaque(data).takeUnretainedValue().drain()
}

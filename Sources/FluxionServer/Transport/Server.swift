import CLibUV
import CMalloc
import FluxionAccess
import FluxionTLS
import FluxionWire
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// fluxiond's server: accepts connections on one libuv loop and routes their calls.
///
/// ```
///  socket bytes ─► Connection.received ─► preface check ─► FrameDecoder (length prefix,
///  limit) ─► Envelope.decode ─► Connection.handle (REQUEST / CANCEL / PING)
///  ─► Router.route(method) ─► handler(ServerCall, payload) ─► ServerCall.send / finish
///  ─► Connection.write (one block: uv_write_t + frame) ─► socket
/// ```
///
/// Everything here runs on the loop thread. Other threads hand work in with `loop.execute`;
/// work handed out to other threads comes back through a `LoopWorker` (see `EventLoop`).
/// Shutdown (SIGTERM, SIGINT or `shutdown()`): stop accepting, end every open call with
/// UNAVAILABLE, send GOAWAY, let each connection flush, then close; `run()` returns.
public final class Server {
    public let configuration: ServerConfiguration
    public let loop: EventLoop
    public let router: Router
    public var logger: Logger
    public private(set) var isShuttingDown = false
    public private(set) var boundPort: Int = 0
    public let startedWallUnixNs: Int64
    let startedMs: UInt64
    /// Extra health facts from the layers above (sim time, scenario); loop thread.
    public var healthDetails: () -> (simTimeS: Double, scenario: String) = { (0, "") }
    /// Field data counters for GetServerInfo (empty with the twin); loop thread.
    public var fieldCounters: () -> [(name: String, value: UInt64)] = { [] }

    private let listener: UnsafeMutablePointer<uv_tcp_t>
    private let housekeeping: UnsafeMutablePointer<uv_timer_t>
    private var signals: [UnsafeMutablePointer<uv_signal_t>] = []
    private var connections: [UInt64: Connection] = [:]
    private var nextConnectionID: UInt64 = 1
    private var shutdownTimer: UnsafeMutablePointer<uv_timer_t>?
    /// Runs once when shutdown begins (layers above stop their own work).
    public var onShutdown: [() -> Void] = []
    /// Runs on every housekeeping tick (loop thread; every 50 ms … 1 s, a quarter of the idle
    /// timeout), for services' own periodic checks (e.g. shelvings that run out).
    public var housekeepingTasks: [() -> Void] = []
    /// Bytes of partial frames buffered by all connections (bounded by
    /// `configuration.maxBufferedFrameBytes`).
    public internal(set) var bufferedFrameBytes = 0
    private(set) var isCoalescing = false
    var corkedConnections: [Connection] = []

    /// Runs `body` (loop thread) with stream messages gathered per connection and written with
    /// one call per connection at the end: a fan-out of many small batches to many clients
    /// then costs one write per client, not one per batch.
    public func coalescingWrites(_ body: () -> Void) {
        if isCoalescing { return body() }
        isCoalescing = true
        body()
        isCoalescing = false
        let touched = corkedConnections
        corkedConnections.removeAll(keepingCapacity: true)
        for conn in touched { conn.uncorkAfterPass() }
    }

    /// Who may call what (tokens); loop thread. Default: no tokens, every call allowed.
    public var access = AccessControl()
    /// TLS for every connection (fluxiond `--tls-cert`, `--tls-key`); nil: plaintext.
    public var tlsContext: TLSContext?
    /// Where accepted mutating calls are recorded (nil: nowhere).
    public var audit: AuditTrail?

    /// The services whose handlers this server's router holds; kept alive as long as the server.
    public var services: [AnyObject] = []

    public init(configuration: ServerConfiguration, loop: EventLoop, router: Router = Router(), logger: Logger) {
        self.configuration = configuration
        self.loop = loop
        self.router = router
        self.logger = logger
        listener = .allocate(capacity: 1)
        housekeeping = .allocate(capacity: 1)
        startedMs = uv_now(loop.raw)
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        startedWallUnixNs = Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
        registerServerMethods()
    }

    var hello: Wire.ServerHello {
        Wire.ServerHello(
            protocolVersion: UInt32(Preface.protocolVersion), serverName: configuration.serverName,
            serverVersion: configuration.serverVersion, maxFrameBytes: UInt32(configuration.maxFrameBytes),
            maxConcurrentCalls: UInt32(configuration.maxConcurrentCalls),
            idleTimeoutMs: UInt32(configuration.idleTimeoutMs))
    }

    public var connectionCount: Int { connections.count }
    public var openCallCount: Int { connections.values.reduce(0) { $0 + $1.openCallCount } }
    public var uptimeS: Double { Double(uv_now(loop.raw) - startedMs) / 1000 }

    /// Binds and listens; returns the bound port (useful with port 0). Installs SIGTERM and
    /// SIGINT handlers that shut the server down gracefully.
    @discardableResult
    public func start() throws(UVError) -> Int {
        // libuv writes to sockets with write(2), which raises SIGPIPE when the peer has gone;
        // libuv expects the process to ignore it and reports EPIPE instead.
        signal(SIGPIPE, SIG_IGN)
        try UVError.check(uv_tcp_init(loop.raw, listener), "uv_tcp_init")
        listener.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        var storage = sockaddr_storage()
        try withUnsafeMutableBytes(of: &storage) { raw throws(UVError) in
            let sa = raw.baseAddress!
            if configuration.host.contains(":") {
                try UVError.check(
                    uv_ip6_addr(
                        configuration.host, Int32(configuration.port), sa.assumingMemoryBound(to: sockaddr_in6.self)),
                    "address \(configuration.host)")
            } else {
                try UVError.check(
                    uv_ip4_addr(
                        configuration.host, Int32(configuration.port), sa.assumingMemoryBound(to: sockaddr_in.self)),
                    "address \(configuration.host)")
            }
            try UVError.check(
                uv_tcp_bind(listener, sa.assumingMemoryBound(to: sockaddr.self), 0),
                "bind \(configuration.host):\(configuration.port)")
        }
        try UVError.check(
            uv_listen(stream(listener), 511, onConnection), "listen on \(configuration.host):\(configuration.port)")
        boundPort = Self.port(of: listener)

        uv_timer_init(loop.raw, housekeeping)
        housekeeping.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        let period = UInt64(max(50, min(1000, configuration.idleTimeoutMs / 4)))
        uv_timer_start(housekeeping, onHousekeeping, period, period)
        uv_unref(handle(housekeeping))

        for signum in [SIGTERM, SIGINT, SIGHUP] where configuration.handleSignals {
            let sig = UnsafeMutablePointer<uv_signal_t>.allocate(capacity: 1)
            uv_signal_init(loop.raw, sig)
            sig.pointee.data = Unmanaged.passUnretained(self).toOpaque()
            uv_signal_start(sig, onSignal, signum)
            signals.append(sig)
        }
        return boundPort
    }

    /// Begins a graceful shutdown. Loop thread.
    public func shutdown(reason: String = "server is shutting down") {
        guard !isShuttingDown else { return }
        isShuttingDown = true
        logger.info("shutting down: \(reason)")
        for hook in onShutdown { hook() }
        uv_close(handle(listener), nil)
        uv_timer_stop(housekeeping)
        uv_close(handle(housekeeping), nil)
        for sig in signals { uv_close(handle(sig), nil) }
        for conn in connections.values { conn.goAway(.unavailable, reason) }
        // Clients that never take their last frames are cut off after the grace period.
        let timer = UnsafeMutablePointer<uv_timer_t>.allocate(capacity: 1)
        uv_timer_init(loop.raw, timer)
        timer.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        uv_timer_start(timer, onShutdownGrace, UInt64(configuration.shutdownGraceMs), 0)
        uv_unref(handle(timer))
        shutdownTimer = timer
        loop.closeWakeup()
    }

    fileprivate func accept() {
        let tcp = UnsafeMutablePointer<uv_tcp_t>.allocate(capacity: 1)
        uv_tcp_init(loop.raw, tcp)
        guard uv_accept(stream(listener), stream(tcp)) == 0 else {
            uv_close(handle(tcp)) { h in h?.withMemoryRebound(to: uv_tcp_t.self, capacity: 1) { $0.deallocate() } }
            return
        }
        uv_tcp_nodelay(tcp, 1)
        if var size = configuration.socketSendBufferBytes.map(Int32.init) { uv_send_buffer_size(handle(tcp), &size) }
        let id = nextConnectionID
        nextConnectionID += 1
        let conn = Connection(id: id, server: self, tcp: tcp, peer: Self.peerName(of: tcp))
        tcp.pointee.data = Unmanaged.passRetained(conn).toOpaque()
        if let tlsContext {
            do throws(TLSError) { conn.tls = try TLSSession(context: tlsContext) } catch {
                logger.error("TLS session for \(conn.peer): \(error)")
                connections[id] = conn
                conn.close(graceful: false)
                return
            }
        }
        connections[id] = conn
        conn.logger.debug("accepted \(conn.peer)")
        if isShuttingDown {
            conn.goAway(.unavailable, "server is shutting down")
        } else {
            conn.startReading()
        }
    }

    func connectionClosed(_ conn: Connection) {
        connections.removeValue(forKey: conn.id)
        conn.logger.debug("closed")
        if isShuttingDown, connections.isEmpty, let timer = shutdownTimer {
            uv_timer_stop(timer)
            uv_close(handle(timer)) { h in h?.withMemoryRebound(to: uv_timer_t.self, capacity: 1) { $0.deallocate() } }
            shutdownTimer = nil
        }
    }

    fileprivate func sweepIdle() {
        let now = uv_now(loop.raw)
        let limit = UInt64(configuration.idleTimeoutMs)
        // A peer that takes nothing of what is queued for it is cut off: within the idle timeout
        // on an open connection, within the shutdown grace once GOAWAY was sent (a graceful close
        // waits for the queue to drain, which such a peer never lets happen).
        for conn in connections.values where conn.pendingWriteBytes > 0 {
            let stalled = now &- conn.lastWriteProgressMs
            let allowed = conn.state == .closing ? UInt64(configuration.shutdownGraceMs) : limit
            if stalled >= allowed {
                conn.logger.info(
                    "peer took nothing of \(conn.pendingWriteBytes) queued bytes for \(stalled) ms: closing")
                conn.close(graceful: false)
            }
        }
        trimMemoryIfReleased()
        for conn in connections.values
        where conn.state == .open && conn.openCallCount == 0 && now - conn.lastActivityMs >= limit {
            conn.logger.info("idle for \(now - conn.lastActivityMs) ms: closing")
            if conn.state == .awaitingPreface {
                conn.close(graceful: false)
            } else {
                conn.goAway(.unavailable, "connection idle for \(limit) ms")
            }
        }
        for task in housekeepingTasks { task() }
    }

    /// Bytes of write blocks freed since the allocator was last asked to give memory back.
    var releasedBytes = 0

    /// glibc keeps freed memory in its arenas; after a burst of frees (stalled clients leaving,
    /// a flood drained) it is handed back to the kernel, so memory follows the load down.
    private func trimMemoryIfReleased() {
        guard releasedBytes > 16 * 1024 * 1024 else { return }
        releasedBytes = 0
        malloc_trim(0)
    }

    /// SIGHUP: re-reads the tokens file; a broken file leaves the tokens in force.
    fileprivate func reloadAccess() {
        guard access.isEnabled else { return logger.info("SIGHUP: no tokens file to reload") }
        do throws(TokenFileError) {
            let n = try access.reload()
            logger.notice("SIGHUP: tokens reloaded, \(n) in force")
        } catch {
            logger.error("SIGHUP: tokens not reloaded, the previous ones stay in force: \(error)")
        }
    }

    fileprivate func graceExpired() {
        for conn in connections.values { conn.close(graceful: false) }
    }

    private static func port(of tcp: UnsafeMutablePointer<uv_tcp_t>) -> Int {
        var storage = sockaddr_storage()
        var len = Int32(MemoryLayout<sockaddr_storage>.size)
        return withUnsafeMutableBytes(of: &storage) { raw -> Int in
            let sa = raw.baseAddress!.assumingMemoryBound(to: sockaddr.self)
            uv_tcp_getsockname(tcp, sa, &len)
            let port = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self).pointee.sin_port
            return Int(UInt16(bigEndian: port))
        }
    }

    private static func peerName(of tcp: UnsafeMutablePointer<uv_tcp_t>) -> String {
        var storage = sockaddr_storage()
        var len = Int32(MemoryLayout<sockaddr_storage>.size)
        return withUnsafeMutableBytes(of: &storage) { raw -> String in
            let sa = raw.baseAddress!.assumingMemoryBound(to: sockaddr.self)
            guard uv_tcp_getpeername(tcp, sa, &len) == 0 else { return "unknown peer" }
            var name = [CChar](repeating: 0, count: 64)
            let port: UInt16
            if sa.pointee.sa_family == sa_family_t(AF_INET6) {
                uv_ip6_name(raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self), &name, name.count)
                port = UInt16(bigEndian: raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self).pointee.sin6_port)
            } else {
                uv_ip4_name(raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self), &name, name.count)
                port = UInt16(bigEndian: raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self).pointee.sin_port)
            }
            return "\(name.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }):\(port)"
        }
    }
}

func stream<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<uv_stream_t> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: uv_stream_t.self)
}

func handle<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<uv_handle_t> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: uv_handle_t.self)
}

private func server(of p: UnsafeMutableRawPointer?) -> Server {
    let data = p!.assumingMemoryBound(to: uv_handle_t.self).pointee.data!
    return Unmanaged<Server>.fromOpaque(data).takeUnretainedValue()
}

private let onConnection: uv_connection_cb = { listener, status in
    let srv = server(of: UnsafeMutableRawPointer(listener))
    guard status == 0 else {
        srv.logger.warning("accept failed: \(UVError(status, "accept"))")
        return
    }
    srv.accept()
}

private let onHousekeeping: uv_timer_cb = { timer in server(of: UnsafeMutableRawPointer(timer)).sweepIdle() }
private let onShutdownGrace: uv_timer_cb = { timer in server(of: UnsafeMutableRawPointer(timer)).graceExpired() }
private let onSignal: uv_signal_cb = { sig, signum in
    let srv = server(of: UnsafeMutableRawPointer(sig))
    if signum == SIGHUP {
        srv.reloadAccess()
    } else {
        srv.shutdown(reason: "received signal \(signum)")
    }
}

import CLibUV
import CMalloc
import FluxionAccess
import FluxionAlerts
import FluxionTLS
import FluxionWire
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// One client connection. Loop thread only.
///
/// Read path: bytes → preface check → `FrameDecoder` → `Envelope.decode` → `handle(_:)`, which
/// opens calls through the router, cancels them, or answers pings. Write path: `write(_:)`
/// packs an envelope into one allocation holding the libuv request and the frame, freed in the
/// write callback; frames written while one read is handled are gathered into one such block
/// ("corked") and written with one call, so a burst of requests costs one write. The bytes still queued (`pendingWriteBytes`) drive backpressure: above
/// `pauseReadingBytes` the connection stops reading (a client that sends but does not read
/// cannot grow server memory), below `resumeReadingBytes` it reads again.
final class Connection {
    enum State { case awaitingPreface, open, closing, closed }

    let id: UInt64
    unowned let server: Server
    let tcp: UnsafeMutablePointer<uv_tcp_t>
    private(set) var state = State.awaitingPreface
    private var decoder: FrameDecoder
    private var calls: [UInt64: ServerCall] = [:]
    private(set) var pendingWriteBytes = 0
    private var readingPaused = false
    /// While handling one read, frames are gathered in one block and written together.
    private var corked = false
    private var cork: UnsafeMutableRawPointer?
    private var corkUsed = 0
    private var corkCapacity = 0
    var lastActivityMs: UInt64
    /// TLS on this connection (fluxiond `--tls-cert`); nil: plaintext.
    var tls: TLSSession?
    /// When the kernel last took queued bytes (or the queue last became non-empty).
    private(set) var lastWriteProgressMs: UInt64 = 0
    let peer: String
    var logger: Logger

    init(id: UInt64, server: Server, tcp: UnsafeMutablePointer<uv_tcp_t>, peer: String) {
        self.id = id
        self.server = server
        self.tcp = tcp
        self.peer = peer
        decoder = FrameDecoder(maxFrameBytes: server.configuration.maxFrameBytes)
        lastActivityMs = server.loop.nowMs
        logger = server.logger
        logger[metadataKey: "conn"] = "\(id)"
    }

    var stream: UnsafeMutablePointer<uv_stream_t> { tcp.withMemoryRebound(to: uv_stream_t.self, capacity: 1) { $0 } }
    var handle: UnsafeMutablePointer<uv_handle_t> { tcp.withMemoryRebound(to: uv_handle_t.self, capacity: 1) { $0 } }
    var isWritable: Bool { state == .open || state == .awaitingPreface }
    var openCallCount: Int { calls.count }

    func startReading() {
        uv_read_start(stream, onAlloc, onRead)
    }

    // MARK: Read path

    func received(_ bytes: UnsafeRawBufferPointer) {
        guard state == .open || state == .awaitingPreface else { return }
        lastActivityMs = server.loop.nowMs
        let held = decoder.bufferedByteCount
        if held + bytes.count > unbudgetedBytes,
            server.bufferedFrameBytes - held + (held + bytes.count) > server.configuration.maxBufferedFrameBytes
        {
            let limit = server.configuration.maxBufferedFrameBytes
            logger.info("partial frames across connections would exceed \(limit) bytes: refusing \(peer)")
            goAway(.resourceExhausted, "server busy: partial frames of all connections would exceed \(limit) bytes")
            return
        }
        corked = true
        defer {
            decoder.releaseIfDrained()
            server.bufferedFrameBytes += decoder.bufferedByteCount - held
            uncork()
        }
        decoder.append(bytes)
        if state == .awaitingPreface {
            guard let preface = decoder.takeRaw(Preface.byteCount) else { return }
            do {
                let version = try Preface.parse(preface)
                guard version == Preface.protocolVersion else {
                    writeRaw(Preface.bytes())
                    let error = PrefaceError.unsupportedVersion(peer: version, supported: Preface.protocolVersion)
                    logger.info("refused client: \(error)")
                    goAway(.failedPrecondition, error.description)
                    return
                }
            } catch {
                logger.info("refused peer \(peer): \(error)")
                writeRaw(Array("fluxiond: \(error). See docs/PROTOCOL.md.\n".utf8))
                close(graceful: true)
                return
            }
            state = .open
            writeRaw(Preface.bytes())
            write(Wire.Envelope(callID: 0, kind: .hello, payload: server.hello.encoded()))
        }
        do {
            while state == .open {
                let frame = try decoder.nextFrame { bytes throws(FrameError) in try decodeChecked(bytes) }
                guard let frame else { break }
                switch frame {
                case .envelope(let envelope): handle(envelope)
                case .refused(let callID, let error):
                    // A request over the limits ends its own call; anything else ends the connection.
                    logger.info("refused call \(callID) from \(peer): \(error)")
                    write(Wire.Envelope(callID: callID, kind: .end, status: error.status, statusMessage: error.message))
                case .refusedConnection(let error):
                    logger.info("protocol error from \(peer): \(error)")
                    goAway(error.status, error.message)
                }
            }
        } catch let error as FrameError {
            logger.info("protocol error from \(peer): \(error)")
            goAway(error.status, error.description)
        } catch {
            goAway(.internal, "\(error)")
        }
    }

    private enum Frame {
        case envelope(Wire.Envelope)
        case refused(callID: UInt64, WireLimitError)
        case refusedConnection(WireLimitError)
    }

    /// The envelope, once its encoding is within `WireLimits` (checked before anything is
    /// allocated for it).
    private func decodeChecked(_ bytes: UnsafeRawBufferPointer) throws(FrameError) -> Frame {
        do throws(WireLimitError) {
            try WireLimits.request.checkEnvelope(bytes, metadata: server.configuration.envelopeLimits)
        } catch {
            if let head = WireLimits.peekCallID(bytes), head.callID != 0,
                head.kind == UInt64(Wire.FrameKind.request.rawValue), calls[head.callID] == nil
            {
                return .refused(callID: head.callID, error)
            }
            return .refusedConnection(error)
        }
        return .envelope(try Wire.Envelope.decode(bytes))
    }

    func receivedEOF() {
        logger.debug("peer closed its side")
        cancelAllCalls()
        close(graceful: true)
    }

    private func handle(_ envelope: Wire.Envelope) {
        switch envelope.kind {
        case .request: openCall(envelope)
        case .cancel:
            guard let call = calls.removeValue(forKey: envelope.callID) else { return }
            audit(call, .cancelled, "cancelled by client")
            call.cancelled()
            write(Wire.Envelope(callID: call.id, kind: .end, status: .cancelled, statusMessage: "cancelled by client"))
        case .ping:
            write(Wire.Envelope(callID: 0, kind: .pong, payload: envelope.payload))
        case .pong:
            break
        case .hello, .message, .end, .goaway:
            goAway(.invalidArgument, "clients may not send \(envelope.kind) frames (call \(envelope.callID))")
        case .unspecified, .unrecognized:
            goAway(.invalidArgument, "frame kind missing or unknown (call \(envelope.callID))")
        }
    }

    private func openCall(_ envelope: Wire.Envelope) {
        let callID = envelope.callID
        guard callID != 0 else {
            write(
                Wire.Envelope(
                    callID: 0, kind: .end, status: .invalidArgument,
                    statusMessage: "call id 0 is reserved; use ids from 1"))
            return
        }
        guard calls[callID] == nil else {
            write(
                Wire.Envelope(
                    callID: callID, kind: .end, status: .invalidArgument,
                    statusMessage: "call id \(callID) is already in use by an open call"))
            return
        }
        guard calls.count < server.configuration.maxConcurrentCalls else {
            write(
                Wire.Envelope(
                    callID: callID, kind: .end, status: .resourceExhausted,
                    statusMessage:
                        "too many open calls on this connection (limit \(server.configuration.maxConcurrentCalls))"))
            return
        }
        guard !server.isShuttingDown else {
            write(
                Wire.Envelope(
                    callID: callID, kind: .end, status: .unavailable, statusMessage: "server is shutting down"))
            return
        }
        switch server.router.route(envelope.method) {
        case .failure(let error):
            write(Wire.Envelope(callID: callID, kind: .end, status: error.code, statusMessage: error.message))
        case .success(let (method, handler)):
            do throws(WireLimitError) {
                try WireLimits.request.checkRequest(envelope.payload, method: method.name)
            } catch {
                write(Wire.Envelope(callID: callID, kind: .end, status: error.status, statusMessage: error.message))
                return
            }
            let principal: AccessToken?
            switch server.access.authorize(method.name, metadata: envelope.metadata) {
            case .failure(let error):
                logger.info("refused \(method.name) from \(peer): \(error.message)")
                write(Wire.Envelope(callID: callID, kind: .end, status: error.code, statusMessage: error.message))
                return
            case .success(let token): principal = token
            }
            let call = ServerCall(id: callID, method: method, metadata: envelope.metadata, connection: self)
            call.principal = principal
            if server.audit != nil, AccessPolicy.operateMethods.contains(method.name) {
                call.auditArguments = WireText.render(envelope.payload, method: method.name)
            }
            calls[callID] = call
            handler(call, envelope.payload)
        }
    }

    /// Called by `ServerCall.finish`: sends the END frame and forgets the call.
    func callFinished(_ call: ServerCall, status: Wire.StatusCode, message: String, payload: [UInt8]) {
        guard calls.removeValue(forKey: call.id) != nil else { return }
        audit(call, status, message)
        write(Wire.Envelope(callID: call.id, kind: .end, status: status, statusMessage: message, payload: payload))
    }

    /// Records a mutating call in the audit trail with its outcome (a cancelled one may still
    /// have taken effect, so it is recorded too).
    private func audit(_ call: ServerCall, _ status: Wire.StatusCode, _ message: String) {
        guard let trail = server.audit, let arguments = call.auditArguments else { return }
        trail.record(
            AuditStore.Entry(
                wallUnixNs: wallUnixNs(), peer: peer, tokenID: call.principal?.id ?? "", method: call.method.name,
                arguments: arguments, status: "\(status)", message: message))
    }

    /// Ends every open call with `status` (frames sent) — used by shutdown and GOAWAY.
    func endAllCalls(_ status: Wire.StatusCode, _ message: String) {
        let open = calls
        calls.removeAll()
        for (id, call) in open.sorted(by: { $0.key < $1.key }) {
            audit(call, status, message)
            call.cancelled()
            write(Wire.Envelope(callID: id, kind: .end, status: status, statusMessage: message))
        }
    }

    private func cancelAllCalls() {
        let open = calls
        calls.removeAll()
        for call in open.values {
            audit(call, .cancelled, "connection closed")
            call.cancelled()
        }
    }

    // MARK: Write path

    func write(_ envelope: Wire.Envelope) {
        guard state != .closed, state != .closing || envelope.kind == .goaway || envelope.kind == .end else { return }
        if envelope.statusMessage.utf8.count > Wire.Envelope.maxStatusMessageBytes {
            var cut = envelope
            cut.statusMessage = Wire.Envelope.truncated(envelope.statusMessage)
            return write(cut)
        }
        if corked {
            _ = envelope.encodeFrame { n in
                reserveCork(n)
                defer { corkUsed += n }
                return cork! + writeHeaderBytes + corkUsed
            }
            if corkUsed >= maxCorkBytes { flushCork() }
            return
        }
        var block: UnsafeMutableRawPointer?
        let frameBytes = envelope.encodeFrame { n in
            block = malloc(writeHeaderBytes + n)
            return block! + writeHeaderBytes
        }
        submit(block!, frameBytes)
    }

    func writeRaw(_ bytes: [UInt8]) {
        guard state != .closed else { return }
        flushCork()
        let block = malloc(writeHeaderBytes + bytes.count)!
        bytes.withUnsafeBytes { (block + writeHeaderBytes).copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        submit(block, bytes.count)
    }

    private func reserveCork(_ n: Int) {
        guard corkCapacity - corkUsed < n else { return }
        corkCapacity = max(corkCapacity * 2, corkUsed + n, 16 * 1024)
        cork = realloc(cork, writeHeaderBytes + corkCapacity)
    }

    private func flushCork() {
        guard var block = cork, corkUsed > 0 else { return }
        let used = corkUsed
        cork = nil
        corkUsed = 0
        corkCapacity = 0
        // The block grew in doublings from 16 KiB: give the unused tail back before it waits in
        // the queue (a stalled client would otherwise hold several times what is counted).
        if used + writeHeaderBytes < malloc_usable_size(block) / 2, let shrunk = realloc(block, writeHeaderBytes + used)
        {
            block = shrunk
        }
        submit(block, used)
    }

    private func uncork() {
        corked = false
        flushCork()
    }

    /// Gathers this connection's frames until the server's `coalescingWrites` pass ends.
    func corkForPass() {
        guard !corked, state == .open else { return }
        corked = true
        server.corkedConnections.append(self)
    }

    func uncorkAfterPass() {
        if corked { uncork() }
    }

    /// Queues one block for writing. What it costs in memory (the allocation's usable size, not
    /// just the frame bytes) is what `pendingWriteBytes` counts, so the backlog limits bound the
    /// memory really held for a client.
    private func submit(_ block: UnsafeMutableRawPointer, _ count: Int) {
        if tls != nil { return encryptAndSubmit(block, count) }
        submitToSocket(block, count)
    }

    /// Queues a block of bytes as they go on the wire (plaintext, or TLS records).
    func submitToSocket(_ block: UnsafeMutableRawPointer, _ count: Int) {
        let req = block.bindMemory(to: uv_write_t.self, capacity: 1)
        req.pointee.data = Unmanaged.passUnretained(self).toOpaque()
        let held = malloc_usable_size(block)
        (block + MemoryLayout<uv_write_t>.stride).storeBytes(of: held, as: Int.self)
        var buf = uv_buf_init((block + writeHeaderBytes).assumingMemoryBound(to: CChar.self), UInt32(count))
        let result = uv_write(req, stream, &buf, 1, onWrite)
        if result < 0 {
            free(block)
            logger.debug("write failed: \(UVError(result, "uv_write"))")
            close(graceful: false)
            return
        }
        if pendingWriteBytes == 0 { lastWriteProgressMs = server.loop.nowMs }
        pendingWriteBytes += held
        if !readingPaused, state == .open, pendingWriteBytes > server.configuration.pauseReadingBytes {
            readingPaused = true
            uv_read_stop(stream)
            logger.debug("backlog \(pendingWriteBytes) bytes: reading paused")
        }
    }

    fileprivate func wrote(_ count: Int, status: Int32) {
        pendingWriteBytes -= count
        lastWriteProgressMs = server.loop.nowMs
        server.releasedBytes += count
        if status < 0, status != UV_ECANCELED.rawValue {
            logger.debug("write error: \(UVError(status, "write"))")
            close(graceful: false)
            return
        }
        if readingPaused, state == .open, pendingWriteBytes < server.configuration.resumeReadingBytes {
            readingPaused = false
            uv_read_start(stream, onAlloc, onRead)
            logger.debug("backlog drained: reading resumed")
        }
    }

    // MARK: Closing

    /// Ends open calls, sends GOAWAY with `status`, then closes once the frames are written.
    func goAway(_ status: Wire.StatusCode, _ message: String) {
        guard state == .open || state == .awaitingPreface else { return }
        endAllCalls(status == .ok ? .unavailable : status, message)
        write(Wire.Envelope(callID: 0, kind: .goaway, status: status, statusMessage: message))
        close(graceful: true)
    }

    /// Graceful: stop reading, let queued writes finish (uv_shutdown), then close.
    /// Not graceful: close at once (queued writes are cancelled).
    func close(graceful: Bool) {
        flushCork()
        corked = false
        switch state {
        case .closed: return
        case .closing: if graceful { return }
        default: break
        }
        cancelAllCalls()
        uv_read_stop(stream)
        if graceful { closeTLS() }
        if graceful, state != .closing {
            state = .closing
            let req = UnsafeMutablePointer<uv_shutdown_t>.allocate(capacity: 1)
            req.pointee.data = Unmanaged.passUnretained(self).toOpaque()
            if uv_shutdown(req, stream, onShutdown) == 0 { return }
            req.deallocate()
        }
        state = .closed
        uv_close(handle, onClose)
    }

    fileprivate func shutdownComplete() {
        guard state != .closed else { return }
        state = .closed
        uv_close(handle, onClose)
    }

    fileprivate func closed() {
        server.bufferedFrameBytes -= decoder.bufferedByteCount
        decoder = FrameDecoder(maxFrameBytes: decoder.maxFrameBytes)
        server.connectionClosed(self)
    }
}

/// A connection may buffer this much of a partial frame whatever the server-wide budget says
/// (an ordinary request always gets through).
private let unbudgetedBytes = 64 * 1024

/// A gathered block is written once it reaches this size, so backpressure is checked often.
private let maxCorkBytes = 256 * 1024

/// Bytes in front of each frame in a write block (internal: TLS output blocks have it too): the uv_write_t and the bytes the block holds.
let writeHeaderBytes = (MemoryLayout<uv_write_t>.stride + MemoryLayout<Int>.stride + 15) & ~15

private func connection(of handle: UnsafeMutableRawPointer?) -> Connection? {
    guard let data = handle?.assumingMemoryBound(to: uv_handle_t.self).pointee.data else { return nil }
    return Unmanaged<Connection>.fromOpaque(data).takeUnretainedValue()
}

private let onAlloc: uv_alloc_cb = { handle, _, buf in
    guard let conn = connection(of: UnsafeMutableRawPointer(handle)) else { return }
    let read = conn.server.loop.readBuffer
    buf?.pointee = uv_buf_init(read.baseAddress!.assumingMemoryBound(to: CChar.self), UInt32(read.count))
}

private let onRead: uv_read_cb = { stream, nread, buf in
    guard let conn = connection(of: UnsafeMutableRawPointer(stream)) else { return }
    if nread > 0 {
        conn.receivedFromSocket(UnsafeRawBufferPointer(start: buf?.pointee.base, count: nread))
    } else if nread == Int(UV_EOF.rawValue) {
        conn.receivedEOF()
    } else if nread < 0 {
        conn.logger.debug("read error: \(UVError(Int32(nread), "read"))")
        conn.close(graceful: false)
    }
}

private let onWrite: uv_write_cb = { req, status in
    guard let req else { return }
    let block = UnsafeMutableRawPointer(req)
    let count = (block + MemoryLayout<uv_write_t>.stride).load(as: Int.self)
    let conn = Unmanaged<Connection>.fromOpaque(req.pointee.data).takeUnretainedValue()
    free(block)
    conn.wrote(count, status: status)
}

private let onShutdown: uv_shutdown_cb = { req, _ in
    guard let req else { return }
    let conn = Unmanaged<Connection>.fromOpaque(req.pointee.data).takeUnretainedValue()
    req.deallocate()
    conn.shutdownComplete()
}

private let onClose: uv_close_cb = { handle in
    guard let handle, let data = handle.pointee.data else { return }
    let unmanaged = Unmanaged<Connection>.fromOpaque(data)
    let conn = unmanaged.takeUnretainedValue()
    conn.closed()
    handle.withMemoryRebound(to: uv_tcp_t.self, capacity: 1) { $0.deallocate() }
    unmanaged.release()
}

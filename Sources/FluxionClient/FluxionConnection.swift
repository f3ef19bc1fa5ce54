import FluxionTLS
import FluxionWire
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A client connection to fluxiond: many concurrent calls over one TCP connection.
///
/// Calls block the calling thread. There is no reader thread: a thread waiting for its answer
/// reads the socket when no other thread is doing so, and hands every frame it reads to its call
/// (leader/follower), so a lone call costs one wake-up when its answer arrives. Safe to use from
/// several threads at once. `close()` ends the connection; pending calls fail with UNAVAILABLE.
///
/// ```swift
/// let conn = try FluxionConnection(host: "127.0.0.1", port: 7400)
/// let health: Wire.HealthResponse = try conn.unary(Wire.Fluxion.health, Wire.HealthRequest())
/// ```
public final class FluxionConnection: @unchecked Sendable {
    /// What the server said about itself in its HELLO frame.
    public let serverHello: Wire.ServerHello
    /// The server's address as "host:port", as given to `init`.
    public let address: String
    /// Unary calls that get no END within this many seconds fail with DEADLINE_EXCEEDED and
    /// are cancelled on the server (nil: wait as long as it takes). Streams have no timeout.
    public let callTimeout: Double?

    private let socket: Socket
    private let writeLock = Mutex<Void>(())
    /// Guards everything below; waiting threads wait on it.
    private let condition = NSCondition()
    private var nextCallID: UInt64 = 1
    private var calls: [UInt64: CallBox] = [:]
    private var pings: [CallBox] = []
    /// Set once the connection is gone; every later call fails with it.
    private var closedError: RPCError?
    /// Whether a waiting thread is reading the socket now (the "reader role").
    private var reading = false
    // Touched only by the thread holding the reader role.
    private var decoder: FrameDecoder
    private let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 8)

    /// The bearer token sent with every call (`authorization: Bearer <token>`), or nil.
    private let token: String?

    /// Connects, exchanges prefaces and reads the server's HELLO (blocking).
    /// - Parameter host: a host name or IP address.
    /// - Parameter port: the TCP port (fluxiond's default is 7400).
    /// - Parameter callTimeout: see `callTimeout`, s; nil: no timeout.
    /// - Parameter token: an access token (`fluxion token create`), sent with every call as
    ///   metadata `authorization: Bearer <token>`; a call's own `authorization` entry wins.
    /// - Parameter tls: a client TLS context (`TLSContext.client(caFile:)`) for a server run with
    ///   `--tls-cert`: the server's certificate must be valid for `host`.
    /// - Throws: `RPCError` UNAVAILABLE when the host cannot be resolved or reached, the TLS
    ///   handshake fails, the peer is not a Fluxion server or closes during the handshake; the
    ///   server's own status when it refuses the connection with a GOAWAY (e.g. an unsupported
    ///   protocol version).
    public init(
        host: String, port: Int, callTimeout: Double? = nil, token: String? = nil, tls: TLSContext? = nil
    ) throws(RPCError) {
        self.callTimeout = callTimeout
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        let address = "\(host):\(port)"
        let socket = try Socket(host: host, port: port, tls: tls)
        var decoder = FrameDecoder()
        let preface = Preface.bytes()
        guard preface.withUnsafeBytes({ socket.writeAll($0) }) else {
            throw .unavailable("connection to \(address) closed while sending the preface")
        }
        serverHello = try Self.readHello(socket, &decoder, address)
        self.address = address
        self.socket = socket
        self.decoder = decoder
    }

    deinit {
        readBuffer.deallocate()
    }

    /// A unary call: sends `request`, waits for the response or the error status.
    /// - Parameter method: the RPC (e.g. `Wire.Fluxion.health`).
    /// - Parameter metadata: extra call metadata; the connection's token is added unless an
    ///   `authorization` entry is given.
    /// - Throws: `RPCError` with the server's status when it is not OK; DEADLINE_EXCEEDED after
    ///   `callTimeout`; UNAVAILABLE when the connection is gone; INTERNAL when the response does
    ///   not decode as `Response`.
    public func unary<Request: WireMessage, Response: WireMessage>(
        _ method: MethodDescriptor, _ request: Request, metadata: [Wire.MetadataEntry] = []
    ) throws(RPCError) -> Response {
        let payload = try unaryRaw(path: method.path, payload: request.encoded(), metadata: metadata)
        do { return try Response(decoding: payload) } catch {
            throw .internal("response of \(method.path): \(error)")
        }
    }

    /// A unary call by method path with raw payload bytes (for tests and tools).
    /// - Parameter path: the method path, e.g. "fluxion.v1.Fluxion/Health" (`MethodDescriptor.path`).
    /// - Parameter payload: the request message, already protobuf-encoded.
    /// - Returns: the response message's protobuf bytes.
    /// - Throws: `RPCError` as `unary`, and INTERNAL when the server answers with a stream message.
    public func unaryRaw(
        path: String, payload: [UInt8], metadata: [Wire.MetadataEntry] = []
    ) throws(RPCError) -> [UInt8] {
        let (id, box) = try open(path: path, payload: payload, metadata: metadata)
        let deadline = callTimeout.map { Date(timeIntervalSinceNow: $0) }
        switch wait(for: box, until: deadline) {
        case nil:
            forget(callID: id)
            cancel(callID: id)
            throw .init(.deadlineExceeded, "\(path): no answer within \(callTimeout!) s")
        case .end(.ok, _, let response): return response
        case .end(let code, let message, _): throw RPCError(code, message)
        case .message: throw .internal("\(path): server sent a stream message on a unary call")
        }
    }

    /// Opens a server-streaming call: sends `request` and returns at once; read the messages
    /// with `ClientStream.next()`.
    /// - Parameter as: the type of the stream's messages (to name it where inference cannot).
    /// - Throws: `RPCError` UNAVAILABLE when the connection is gone (the server's refusal of the
    ///   call arrives through `next()`).
    public func serverStream<Request: WireMessage, Response: WireMessage>(
        _ method: MethodDescriptor, _ request: Request, as: Response.Type = Response.self,
        metadata: [Wire.MetadataEntry] = []
    ) throws(RPCError) -> ClientStream<Response> {
        let (id, box) = try open(path: method.path, payload: request.encoded(), metadata: metadata)
        return ClientStream(connection: self, callID: id, box: box, path: method.path)
    }

    /// Sends a PING and waits for the PONG; returns the round-trip time in seconds.
    /// - Throws: `RPCError` UNAVAILABLE when the connection is gone.
    public func ping() throws(RPCError) -> Double {
        let box = CallBox()
        condition.lock()
        if let e = closedError {
            condition.unlock()
            throw e
        }
        pings.append(box)
        condition.unlock()
        let start = DispatchTime.now().uptimeNanoseconds
        try send(Wire.Envelope(callID: 0, kind: .ping, payload: Array("ping".utf8)))
        if case .end(let code, let message, _)? = wait(for: box, until: nil), code != .ok {
            throw RPCError(code, message)
        }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Closes the connection; open calls fail with UNAVAILABLE.
    public func close() {
        socket.shutdownBoth()
        condition.lock()
        fail(.unavailable("connection to \(address) was closed by the client"))
        condition.unlock()
    }

    // MARK: Waiting and reading (leader/follower)

    /// Waits for the next event of `box`. A waiting thread takes the reader role when nobody
    /// holds it and reads the socket itself, handing other calls their frames; so a lone call
    /// wakes one thread (itself) when its answer arrives, not a reader thread and then itself.
    func wait(for box: CallBox, until deadline: Date?) -> CallBox.Event? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let event = box.pop() {
                condition.broadcast()  // room for a reader waiting to push into this box
                return event
            }
            if let deadline, deadline <= Date() { return nil }
            if !reading && closedError == nil {
                reading = true
                condition.unlock()
                let frames = readFrames(until: deadline)
                condition.lock()
                deliver(frames)
                reading = false
                condition.broadcast()
                continue
            }
            if let deadline { _ = condition.wait(until: deadline) } else { condition.wait() }
        }
    }

    /// One read from the socket (blocking, or until `deadline`), cut into frames. Reader role only.
    private func readFrames(until deadline: Date?) -> Result<[Wire.Envelope], RPCError> {
        if let deadline, !socket.hasBufferedData {
            var fds = pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0)
            let ms = max(0, Int32(min(deadline.timeIntervalSinceNow * 1000, 1000)))
            if poll(&fds, 1, ms) == 0 { return .success([]) }
        }
        let n = socket.read(into: readBuffer)
        if n <= 0 { return .failure(.unavailable("connection to \(address) closed by the server")) }
        decoder.append(UnsafeRawBufferPointer(rebasing: readBuffer[0..<n]))
        var frames: [Wire.Envelope] = []
        do {
            while let envelope = try decoder.nextFrame({ try Wire.Envelope.decode($0) }) { frames.append(envelope) }
        } catch {
            return .failure(.internal("bad frame from \(address): \(error)"))
        }
        return .success(frames)
    }

    /// Hands frames to their calls (lock held). Waits for room when a stream's box is full.
    private func deliver(_ result: Result<[Wire.Envelope], RPCError>) {
        let frames: [Wire.Envelope]
        switch result {
        case .failure(let error):
            fail(error)
            return
        case .success(let f): frames = f
        }
        for envelope in frames {
            switch envelope.kind {
            case .message:
                guard let box = calls[envelope.callID] else { continue }
                while !box.push(.message(envelope.payload)) && closedError == nil {
                    condition.broadcast()
                    condition.wait()
                }
            case .end:
                calls.removeValue(forKey: envelope.callID).map {
                    _ = $0.push(.end(envelope.status, envelope.statusMessage, envelope.payload))
                }
            case .pong:
                if !pings.isEmpty { _ = pings.removeFirst().push(.end(.ok, "", envelope.payload)) }
            case .ping:
                try? send(Wire.Envelope(callID: 0, kind: .pong, payload: envelope.payload))
            case .goaway:
                fail(
                    RPCError(
                        envelope.status == .ok ? .unavailable : envelope.status,
                        "server closed the connection: \(envelope.statusMessage)"))
                socket.shutdownBoth()
                return
            case .hello, .request, .cancel, .unspecified, .unrecognized:
                break
            }
        }
    }

    /// Ends every pending call with `error` and refuses new ones (lock held).
    private func fail(_ error: RPCError) {
        if closedError == nil { closedError = error }
        for box in calls.values { _ = box.push(.end(error.code, error.message, [])) }
        for box in pings { _ = box.push(.end(error.code, error.message, [])) }
        calls.removeAll()
        pings.removeAll()
        condition.broadcast()
    }

    // MARK: Internals shared with ClientStream

    func cancel(callID: UInt64) {
        try? send(Wire.Envelope(callID: callID, kind: .cancel))
    }

    func abandon(_ box: CallBox) {
        condition.lock()
        box.abandon()
        condition.broadcast()
        condition.unlock()
    }

    func forget(callID: UInt64) {
        condition.lock()
        calls.removeValue(forKey: callID)
        condition.unlock()
    }

    private func open(
        path: String, payload: [UInt8], metadata: [Wire.MetadataEntry]
    ) throws(RPCError) -> (UInt64, CallBox) {
        let box = CallBox()
        condition.lock()
        if let e = closedError {
            condition.unlock()
            throw e
        }
        let id = nextCallID
        nextCallID += 1
        calls[id] = box
        condition.unlock()
        do {
            var metadata = metadata
            if let token, !metadata.contains(where: { $0.key.lowercased() == "authorization" }) {
                metadata.append(Wire.MetadataEntry(key: "authorization", value: "Bearer \(token)"))
            }
            try send(Wire.Envelope(callID: id, kind: .request, method: path, metadata: metadata, payload: payload))
        } catch {
            forget(callID: id)
            throw error
        }
        return (id, box)
    }

    private func send(_ envelope: Wire.Envelope) throws(RPCError) {
        let frame = envelope.encodedFrame()
        let ok = writeLock.withLock { _ in frame.withUnsafeBytes { socket.writeAll($0) } }
        guard ok else {
            condition.lock()
            let error = closedError
            condition.unlock()
            throw error ?? .unavailable("connection to \(address) is closed")
        }
    }

    private static func readHello(
        _ socket: Socket, _ decoder: inout FrameDecoder, _ address: String
    ) throws(RPCError) -> Wire.ServerHello {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 8)
        defer { buffer.deallocate() }
        var prefaceChecked = false
        while true {
            if !prefaceChecked, let preface = decoder.takeRaw(Preface.byteCount) {
                do {
                    let version = try Preface.parse(preface)
                    if version != Preface.protocolVersion {
                        // The server will explain in a GOAWAY; read it below.
                    }
                } catch {
                    // fluxiond explains some refusals in one line of text (e.g. a TLS port).
                    if preface.starts(with: Array("fluxiond".utf8)) {
                        var text = preface + (decoder.takeRaw(decoder.bufferedByteCount) ?? [])
                        while !text.contains(UInt8(ascii: "\n")), text.count < 512 {
                            let n = socket.read(into: buffer)
                            if n <= 0 { break }
                            text += buffer[0..<n]
                        }
                        let line = String(decoding: text.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
                        throw .unavailable("\(address): \(line)")
                    }
                    throw .unavailable("\(address) is not a Fluxion server (\(error))")
                }
                prefaceChecked = true
            }
            if prefaceChecked {
                let envelope: Wire.Envelope?
                do { envelope = try decoder.nextFrame { try Wire.Envelope.decode($0) } } catch {
                    throw .unavailable("\(address): bad first frame: \(error)")
                }
                if let envelope {
                    switch envelope.kind {
                    case .hello:
                        do { return try Wire.ServerHello(decoding: envelope.payload) } catch {
                            throw .unavailable("\(address): bad HELLO: \(error)")
                        }
                    case .goaway:
                        throw RPCError(envelope.status, envelope.statusMessage)
                    default:
                        throw .unavailable("\(address): expected HELLO, got \(envelope.kind)")
                    }
                }
            }
            let n = socket.read(into: buffer)
            guard n > 0 else { throw .unavailable("connection to \(address) closed during the handshake") }
            decoder.append(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }
}

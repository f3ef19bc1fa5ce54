import FluxionWire
import Foundation
import Synchronization

/// A client connection to fluxiond: many concurrent calls over one TCP connection.
///
/// Calls block the calling thread; one reader thread per connection decodes frames and hands
/// each to its call. Safe to use from several threads at once. Call `close()` when done: the
/// reader thread holds the connection until its socket closes.
///
/// ```swift
/// let conn = try FluxionConnection(host: "127.0.0.1", port: 7400)
/// let health: HealthResponse = try conn.unary(FluxionService.health, HealthRequest())
/// ```
public final class FluxionConnection: @unchecked Sendable {
    /// What the server said about itself in its HELLO frame.
    public let serverHello: ServerHello
    public let address: String
    /// Unary calls that get no END within this many seconds fail with DEADLINE_EXCEEDED and
    /// are cancelled on the server (nil: wait as long as it takes).
    public let callTimeout: Double?

    private let socket: Socket
    private let writeLock = Mutex<Void>(())
    private let state = Mutex(State())

    private struct State {
        var nextCallID: UInt64 = 1
        var calls: [UInt64: CallBox] = [:]
        var pings: [CallBox] = []
        /// Set once the connection is gone; every later call fails with it.
        var closedError: RPCError?
    }

    /// Connects, exchanges prefaces and reads the server's HELLO.
    public init(host: String, port: Int, callTimeout: Double? = nil) throws(RPCError) {
        self.callTimeout = callTimeout
        let address = "\(host):\(port)"
        let socket = try Socket(host: host, port: port)
        var decoder = FrameDecoder()
        let preface = Preface.bytes()
        guard preface.withUnsafeBytes({ socket.writeAll($0) }) else {
            throw .unavailable("connection to \(address) closed while sending the preface")
        }
        serverHello = try Self.readHello(socket, &decoder, address)
        self.address = address
        self.socket = socket
        startReader(decoder)
    }

    /// The reader thread keeps the connection alive until the socket closes: call `close()`.
    private func startReader(_ decoder: FrameDecoder) {
        let thread = Thread { self.readLoop(decoder) }
        thread.name = "fluxion-client-reader"
        thread.start()
    }

    /// A unary call: sends `request`, waits for the response or the error status.
    public func unary<Request: WireMessage, Response: WireMessage>(
        _ method: MethodDescriptor, _ request: Request, metadata: [MetadataEntry] = []
    ) throws(RPCError) -> Response {
        let payload = try unaryRaw(path: method.path, payload: request.encoded(), metadata: metadata)
        do { return try Response(decoding: payload) } catch {
            throw .internal("response of \(method.path): \(error)")
        }
    }

    /// A unary call by method path with raw payload bytes (for tests and tools).
    public func unaryRaw(path: String, payload: [UInt8], metadata: [MetadataEntry] = []) throws(RPCError) -> [UInt8] {
        let (id, box) = try open(path: path, payload: payload, metadata: metadata)
        let deadline = callTimeout.map { Date(timeIntervalSinceNow: $0) }
        switch box.take(until: deadline) {
        case nil:
            forget(callID: id)
            cancel(callID: id)
            throw .init(.deadlineExceeded, "\(path): no answer within \(callTimeout!) s")
        case .end(.ok, _, let response): return response
        case .end(let code, let message, _): throw RPCError(code, message)
        case .message: throw .internal("\(path): server sent a stream message on a unary call")
        }
    }

    /// Opens a server-streaming call.
    public func serverStream<Request: WireMessage, Response: WireMessage>(
        _ method: MethodDescriptor, _ request: Request, as: Response.Type = Response.self,
        metadata: [MetadataEntry] = []
    ) throws(RPCError) -> ClientStream<Response> {
        let (id, box) = try open(path: method.path, payload: request.encoded(), metadata: metadata)
        return ClientStream(connection: self, callID: id, box: box, path: method.path)
    }

    /// Sends a PING and waits for the PONG; returns the round-trip time in seconds.
    public func ping() throws(RPCError) -> Double {
        let box = CallBox()
        let closed = state.withLock { s -> RPCError? in
            if let e = s.closedError { return e }
            s.pings.append(box)
            return nil
        }
        if let closed { throw closed }
        let start = DispatchTime.now().uptimeNanoseconds
        try send(Envelope(callID: 0, kind: .ping, payload: Array("ping".utf8)))
        if case .end(let code, let message, _) = box.take(), code != .ok { throw RPCError(code, message) }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Closes the connection; open calls fail with UNAVAILABLE.
    public func close() {
        socket.shutdownBoth()
    }

    // MARK: Internals shared with ClientStream

    func cancel(callID: UInt64) {
        try? send(Envelope(callID: callID, kind: .cancel))
    }

    func forget(callID: UInt64) {
        _ = state.withLock { $0.calls.removeValue(forKey: callID) }
    }

    private func open(path: String, payload: [UInt8], metadata: [MetadataEntry]) throws(RPCError) -> (UInt64, CallBox) {
        let box = CallBox()
        let opened = state.withLock { s -> Result<UInt64, RPCError> in
            if let e = s.closedError { return .failure(e) }
            let id = s.nextCallID
            s.nextCallID += 1
            s.calls[id] = box
            return .success(id)
        }
        let id = try opened.get()
        do {
            try send(Envelope(callID: id, kind: .request, method: path, metadata: metadata, payload: payload))
        } catch {
            forget(callID: id)
            throw error
        }
        return (id, box)
    }

    private func send(_ envelope: Envelope) throws(RPCError) {
        let frame = envelope.encodedFrame()
        let ok = writeLock.withLock { _ in frame.withUnsafeBytes { socket.writeAll($0) } }
        guard ok else {
            throw state.withLock { $0.closedError } ?? .unavailable("connection to \(address) is closed")
        }
    }

    private static func readHello(
        _ socket: Socket, _ decoder: inout FrameDecoder, _ address: String
    ) throws(RPCError) -> ServerHello {
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
                    throw .unavailable("\(address) is not a Fluxion server (\(error))")
                }
                prefaceChecked = true
            }
            if prefaceChecked {
                let envelope: Envelope?
                do { envelope = try decoder.nextFrame { try Envelope.decode($0) } } catch {
                    throw .unavailable("\(address): bad first frame: \(error)")
                }
                if let envelope {
                    switch envelope.kind {
                    case .hello:
                        do { return try ServerHello(decoding: envelope.payload) } catch {
                            throw .unavailable("\(address): bad HELLO: \(error)")
                        }
                    case .goAway:
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

    private func readLoop(_ initial: FrameDecoder) {
        var decoder = initial
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 8)
        defer { buffer.deallocate() }
        var closing: RPCError = .unavailable("connection to \(address) closed by the server")
        reading: while true {
            do {
                while let envelope = try decoder.nextFrame({ try Envelope.decode($0) }) {
                    if let goAway = deliver(envelope) {
                        closing = goAway
                        break reading
                    }
                }
            } catch {
                closing = .internal("bad frame from \(address): \(error)")
                break
            }
            let n = socket.read(into: buffer)
            if n <= 0 { break }
            decoder.append(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        let (calls, pings) = state.withLock { s in
            s.closedError = closing
            let result = (s.calls, s.pings)
            s.calls.removeAll()
            s.pings.removeAll()
            return result
        }
        for box in calls.values { box.push(.end(closing.code, closing.message, [])) }
        for box in pings { box.push(.end(closing.code, closing.message, [])) }
        socket.shutdownBoth()
    }

    /// Hands one frame to its call; returns the error when the server says GOAWAY.
    private func deliver(_ envelope: Envelope) -> RPCError? {
        switch envelope.kind {
        case .message:
            let box = state.withLock { $0.calls[envelope.callID] }
            box?.push(.message(envelope.payload))
        case .end:
            let box = state.withLock { $0.calls.removeValue(forKey: envelope.callID) }
            box?.push(.end(envelope.status, envelope.statusMessage, envelope.payload))
        case .pong:
            let box = state.withLock { s in s.pings.isEmpty ? nil : s.pings.removeFirst() }
            box?.push(.end(.ok, "", envelope.payload))
        case .ping:
            try? send(Envelope(callID: 0, kind: .pong, payload: envelope.payload))
        case .goAway:
            return RPCError(
                envelope.status == .ok ? .unavailable : envelope.status,
                "server closed the connection: \(envelope.statusMessage)")
        case .hello, .request, .cancel, .unspecified:
            break
        }
        return nil
    }
}

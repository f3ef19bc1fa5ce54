import FluxionWire

/// The receiving end of a server-streaming call.
///
/// `next()` blocks until the next message, returns nil when the server ends the call with OK,
/// and throws the status otherwise. `cancel()` asks the server to stop; the stream then ends
/// with CANCELLED.
/// Use it from one thread at a time; other calls on the same connection may run meanwhile.
public final class ClientStream<Response: WireMessage>: @unchecked Sendable {
    /// The call's id on its connection (the envelope's `call_id`, docs/PROTOCOL.md).
    public let callID: UInt64
    private let connection: FluxionConnection
    private let box: CallBox
    private let path: String
    private var finished = false

    init(connection: FluxionConnection, callID: UInt64, box: CallBox, path: String) {
        self.connection = connection
        self.callID = callID
        self.box = box
        self.path = path
    }

    /// The next message of the stream, blocking until it arrives.
    /// - Returns: the message, or nil once the server has ended the call with OK (and on every
    ///   call after the end).
    /// - Throws: `RPCError` with the status the server ended the call with (CANCELLED after
    ///   `cancel()`), UNAVAILABLE when the connection is gone, INTERNAL when a message does not
    ///   decode as `Response`.
    public func next() throws(RPCError) -> Response? {
        guard !finished else { return nil }
        switch connection.wait(for: box, until: nil)! {
        case .message(let payload):
            do { return try Response(decoding: payload) } catch {
                throw .internal("stream message of \(path): \(error)")
            }
        case .end(.ok, _, _):
            finished = true
            return nil
        case .end(let code, let message, _):
            finished = true
            throw RPCError(code, message)
        }
    }

    /// Asks the server to end the call; messages still in flight are dropped, and `next()`
    /// then returns the END (CANCELLED) the server sends.
    public func cancel() {
        connection.abandon(box)
        connection.cancel(callID: callID)
    }
}

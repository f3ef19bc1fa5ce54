import FluxionAccess
import FluxionWire

/// One open call on a connection, as a handler sees it. Loop thread only.
///
/// A unary call is finished once with its response; a server-streaming call sends messages and
/// is finished with a status. When the client cancels or the connection goes away, `onCancel`
/// runs once and the call is closed; further sends are ignored.
public final class ServerCall {
    public let id: UInt64
    public let method: MethodDescriptor
    public let metadata: [Wire.MetadataEntry]
    /// The token the call presented (nil: none, or the server has no tokens).
    public internal(set) var principal: AccessToken?
    /// The request rendered for the audit trail (mutating calls, when the server keeps one).
    var auditArguments: String?
    private weak var connection: Connection?
    public private(set) var isOpen = true
    /// Runs once if the call ends for a reason other than `finish` (cancel, disconnect, shutdown).
    public var onCancel: (() -> Void)?

    init(id: UInt64, method: MethodDescriptor, metadata: [Wire.MetadataEntry], connection: Connection) {
        self.id = id
        self.method = method
        self.metadata = metadata
        self.connection = connection
    }

    /// Bytes queued for this call's connection and not yet taken by the kernel.
    public var backlogBytes: Int { connection?.pendingWriteBytes ?? 0 }

    /// The outcome of `send`.
    public enum SendResult: Sendable, Equatable {
        case sent
        /// The connection's backlog is over `streamBacklogBytes`: the message was not queued.
        case backlogged
        case closed
    }

    /// Sends one message of a server-streaming call.
    @discardableResult
    public func send(_ payload: [UInt8]) -> SendResult {
        guard isOpen, let connection, connection.isWritable else { return .closed }
        if connection.pendingWriteBytes > connection.server.configuration.streamBacklogBytes {
            return .backlogged
        }
        if let error = oversize(payload) {
            finish(error.code, error.message)
            return .closed
        }
        if connection.server.isCoalescing { connection.corkForPass() }
        connection.write(Wire.Envelope(callID: id, kind: .message, payload: payload))
        return .sent
    }

    /// Ends the call with `status`; for a unary call with status OK, `payload` is the response.
    public func finish(_ status: Wire.StatusCode = .ok, _ message: String = "", payload: [UInt8] = []) {
        guard isOpen else { return }
        isOpen = false
        onCancel = nil
        if let error = oversize(payload) {
            connection?.callFinished(self, status: error.code, message: error.message, payload: [])
            return
        }
        connection?.callFinished(self, status: status, message: message, payload: payload)
    }

    /// The server never sends a frame larger than the limit it announced in HELLO: a message
    /// that would need one ends the call with RESOURCE_EXHAUSTED instead.
    private func oversize(_ payload: [UInt8]) -> RPCError? {
        guard let limit = connection?.server.configuration.maxFrameBytes, payload.count + 64 > limit else { return nil }
        return RPCError(
            .resourceExhausted, "response of \(payload.count) bytes does not fit the \(limit)-byte frame limit")
    }

    /// Closes the call without a frame (the connection sends what it must) and runs `onCancel`.
    func cancelled() {
        guard isOpen else { return }
        isOpen = false
        let handler = onCancel
        onCancel = nil
        handler?()
    }
}

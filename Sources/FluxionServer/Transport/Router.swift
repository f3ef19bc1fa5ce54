import FluxionWire

/// Method path -> handler. Every method of `fluxion.v1.Fluxion` is known; those without a
/// handler answer UNIMPLEMENTED, and names outside the service answer UNIMPLEMENTED too.
///
/// A handler receives the open call and the request payload and must finish the call, now or
/// later (on the loop thread). The typed helpers `unary` and `serverStreaming` decode the
/// request, turn a thrown `RPCError` into the call's status, and encode the response.
public final class Router {
    public typealias Handler = (ServerCall, [UInt8]) -> Void

    private var handlers: [String: Handler] = [:]

    public init() {}

    public func register(_ method: MethodDescriptor, _ handler: @escaping Handler) {
        handlers[method.path] = handler
    }

    /// A unary method answered at once.
    public func unary<Request: WireMessage, Response: WireMessage>(
        _ method: MethodDescriptor, _ body: @escaping (Request, ServerCall) throws(RPCError) -> Response
    ) {
        precondition(method.kind == .unary, "\(method.path) is not unary")
        register(method) { call, payload in
            do throws(RPCError) {
                let request = try Self.decode(Request.self, payload)
                let response = try body(request, call)
                call.finish(.ok, payload: response.encoded())
            } catch {
                call.finish(error.code, error.message)
            }
        }
    }

    /// A server-streaming method: `body` keeps `call` and sends messages until it finishes it.
    public func serverStreaming<Request: WireMessage>(
        _ method: MethodDescriptor, _ body: @escaping (Request, ServerCall) throws(RPCError) -> Void
    ) {
        precondition(method.kind == .serverStreaming, "\(method.path) is not server-streaming")
        register(method) { call, payload in
            do throws(RPCError) {
                try body(try Self.decode(Request.self, payload), call)
            } catch {
                call.finish(error.code, error.message)
            }
        }
    }

    public func isImplemented(_ method: MethodDescriptor) -> Bool {
        handlers[method.path] != nil
    }

    /// The handler for `path`, or the error that ends the call.
    func route(_ path: String) -> Result<(MethodDescriptor, Handler), RPCError> {
        guard let method = Wire.Fluxion.method(path: path) else {
            return .failure(.unimplemented("unknown method \"\(Wire.Envelope.truncated(path, maxBytes: 200))\""))
        }
        guard let handler = handlers[path] else {
            return .failure(.unimplemented("\(path) is not implemented by this server yet"))
        }
        return .success((method, handler))
    }

    private static func decode<M: WireMessage>(_ type: M.Type, _ payload: [UInt8]) throws(RPCError) -> M {
        do { return try M(decoding: payload) } catch { throw error.rpcError }
    }
}

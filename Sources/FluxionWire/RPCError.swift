/// An error that knows its wire status: what a handler throws and what a client receives.
public struct RPCError: Error, Equatable, CustomStringConvertible, Sendable {
    public var code: Wire.StatusCode
    public var message: String

    public init(_ code: Wire.StatusCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    public static func invalidArgument(_ message: String) -> RPCError { .init(.invalidArgument, message) }
    public static func notFound(_ message: String) -> RPCError { .init(.notFound, message) }
    public static func unimplemented(_ message: String) -> RPCError { .init(.unimplemented, message) }
    public static func unavailable(_ message: String) -> RPCError { .init(.unavailable, message) }
    public static func `internal`(_ message: String) -> RPCError { .init(.internal, message) }
}

extension DecodeError {
    /// A request that does not decode is the caller's mistake.
    public var rpcError: RPCError { .invalidArgument("request \(description)") }
}

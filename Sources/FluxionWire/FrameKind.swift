import CFluxionProto

/// What a frame is for (`fluxion.v1.FrameKind`). See docs/PROTOCOL.md for who sends which.
public enum FrameKind: UInt32, Sendable, CustomStringConvertible {
    case unspecified = 0
    case hello = 1
    case request = 2
    case message = 3
    case end = 4
    case cancel = 5
    case ping = 6
    case pong = 7
    case goAway = 8

    public var description: String {
        switch self {
        case .unspecified: "UNSPECIFIED"
        case .hello: "HELLO"
        case .request: "REQUEST"
        case .message: "MESSAGE"
        case .end: "END"
        case .cancel: "CANCEL"
        case .ping: "PING"
        case .pong: "PONG"
        case .goAway: "GOAWAY"
        }
    }
}

/// Errors of the frame layer (length prefix and envelope), each with the context to report it.
public enum FrameError: Error, Equatable, CustomStringConvertible {
    /// The length prefix declares more bytes than the limit; nothing was allocated for it.
    case tooLarge(declared: UInt32, limit: Int)
    /// The frame's bytes do not decode as a `fluxion.v1.Envelope`.
    case malformedEnvelope(byteCount: Int)
    /// The envelope decoded but its kind is not one the receiver accepts.
    case unexpectedKind(Wire.FrameKind, rawValue: UInt32)

    public var description: String {
        switch self {
        case .tooLarge(let declared, let limit):
            "frame of \(declared) bytes exceeds the limit of \(limit) bytes"
        case .malformedEnvelope(let count):
            "frame of \(count) bytes does not decode as fluxion.v1.Envelope"
        case .unexpectedKind(let kind, let raw):
            kind == .unspecified && raw != 0
                ? "unknown frame kind \(raw)" : "unexpected frame kind \(kind)"
        }
    }

    /// The status a server reports for this error before closing.
    public var status: Wire.StatusCode {
        switch self {
        case .tooLarge: .resourceExhausted
        case .malformedEnvelope, .unexpectedKind: .invalidArgument
        }
    }
}

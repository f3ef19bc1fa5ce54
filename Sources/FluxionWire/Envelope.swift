/// One frame's content (`fluxion.v1.Envelope`): which call, what kind, and the payload.
public struct Envelope: Sendable, Equatable {
    public var callID: UInt64
    public var kind: FrameKind
    /// REQUEST only: `fluxion.v1.Fluxion/<Method>`.
    public var method: String
    /// END and GOAWAY only.
    public var status: StatusCode
    public var statusMessage: String
    public var metadata: [MetadataEntry]
    /// The encoded request or response message.
    public var payload: [UInt8]

    public init(
        callID: UInt64, kind: FrameKind, method: String = "", status: StatusCode = .ok,
        statusMessage: String = "", metadata: [MetadataEntry] = [], payload: [UInt8] = []
    ) {
        self.callID = callID
        self.kind = kind
        self.method = method
        self.status = status
        self.statusMessage = statusMessage
        self.metadata = metadata
        self.payload = payload
    }
}

/// A key/value pair carried with a request (like gRPC metadata).
public struct MetadataEntry: Sendable, Equatable {
    public var key: String
    public var value: String
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

extension Envelope {
    /// Longest `status_message` a server sends, bytes of UTF-8: text echoed from a request (a
    /// method name, a sensor id) can never make a reply larger than the frame limit.
    public static let maxStatusMessageBytes = 1024

    /// `text` cut to at most `maxBytes` bytes of UTF-8 at a character boundary, with "…" when cut.
    public static func truncated(_ text: String, maxBytes: Int = maxStatusMessageBytes) -> String {
        guard text.utf8.count > maxBytes else { return text }
        var out = ""
        var used = 0
        let ellipsis = "…"
        for ch in text {
            let n = String(ch).utf8.count
            if used + n + ellipsis.utf8.count > maxBytes { break }
            out.append(ch)
            used += n
        }
        return out + ellipsis
    }
}

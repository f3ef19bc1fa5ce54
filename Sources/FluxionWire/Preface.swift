/// The 8 bytes each side sends first: ASCII `FLUXION` then one byte of protocol version.
///
/// The client sends its preface as soon as it connects; the server reads it and answers with its
/// own preface followed by a HELLO frame. A peer whose first 7 bytes are not `FLUXION` is not a
/// Fluxion client: the server writes one line of plain text saying so and closes.
public enum Preface {
    /// The protocol version this build speaks.
    public static let protocolVersion: UInt8 = 1
    public static let magic: [UInt8] = Array("FLUXION".utf8)
    public static let byteCount = 8

    /// The preface announcing `version`.
    public static func bytes(version: UInt8 = protocolVersion) -> [UInt8] {
        magic + [version]
    }

    /// Checks a received preface; returns the peer's protocol version.
    public static func parse(_ bytes: some Collection<UInt8>) throws(PrefaceError) -> UInt8 {
        guard bytes.count >= byteCount else { throw .truncated(count: bytes.count) }
        let head = Array(bytes.prefix(byteCount))
        guard Array(head[0..<7]) == magic else { throw .notFluxion(received: head) }
        return head[7]
    }
}

/// Why a connection's first bytes were refused.
public enum PrefaceError: Error, Equatable, CustomStringConvertible {
    case truncated(count: Int)
    case notFluxion(received: [UInt8])
    case unsupportedVersion(peer: UInt8, supported: UInt8)

    public var description: String {
        switch self {
        case .truncated(let count):
            "connection closed after \(count) of the 8 preface bytes"
        case .notFluxion(let received):
            "not a Fluxion protocol peer: expected preface \"FLUXION\" + version byte, got "
                + received.map { String(format2hex: $0) }.joined(separator: " ")
        case .unsupportedVersion(let peer, let supported):
            "protocol version \(peer) is not supported; this side speaks version \(supported)"
        }
    }
}

extension String {
    init(format2hex byte: UInt8) {
        let digits = Array("0123456789abcdef")
        self = String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
    }
}

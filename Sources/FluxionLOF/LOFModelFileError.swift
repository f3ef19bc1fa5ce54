/// Why a model file was refused. Each case says what was found and what was expected.
public enum LOFModelFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be read or written.
    case io(path: String, reason: String)
    /// The first 8 bytes are not the LOF model magic (not a model file, or a text-mode copy).
    case wrongMagic
    /// Written by a format version this build cannot read.
    case unsupportedVersion(found: UInt32, supported: UInt32)
    /// Fewer bytes than the header declares.
    case truncated(expected: Int, actual: Int)
    /// More bytes than the header declares.
    case trailingBytes(expected: Int, actual: Int)
    /// The stored CRC-32 does not match the contents.
    case checksumMismatch(stored: UInt32, computed: UInt32)
    /// The model's feature count is not the one the caller needs.
    case dimensionMismatch(model: Int, expected: Int)
    /// A header field or value is out of range (the checksum matched, so the writer was wrong).
    case invalidField(name: String, value: String)

    public var description: String {
        switch self {
        case let .io(path, reason):
            return "\(path): \(reason)"
        case .wrongMagic:
            return "not an LOF model file (wrong magic)"
        case let .unsupportedVersion(found, supported):
            return "unsupported LOF model format version \(found) (this build reads version \(supported))"
        case let .truncated(expected, actual):
            return "LOF model file truncated: \(actual) bytes, header declares \(expected)"
        case let .trailingBytes(expected, actual):
            return "LOF model file has \(actual - expected) bytes after the declared \(expected)"
        case let .checksumMismatch(stored, computed):
            return "LOF model file corrupt: CRC-32 is \(hex(computed)), stored \(hex(stored))"
        case let .dimensionMismatch(model, expected):
            return "LOF model has \(model) features, expected \(expected)"
        case let .invalidField(name, value):
            return "LOF model file has an invalid \(name): \(value)"
        }
    }
}

private func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}

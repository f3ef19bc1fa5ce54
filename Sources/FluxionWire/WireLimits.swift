import CFluxionProto

#if canImport(Glibc)
    import Glibc
#endif

/// Bounds on what one message from a client may expand to when decoded, checked on the
/// encoded bytes before protobuf-c allocates anything for them.
///
/// A protobuf element can be two bytes on the wire (an empty string in a repeated field) and
/// cost a hundred once decoded (a struct, a pointer, a Swift value): a 4 MiB frame of empty
/// entries was once ~70 MB of memory. So every repeated field is limited in count, the whole
/// message in total elements and nesting depth, and no string may hold a NUL byte (C strings end
/// at the first one: `threshold\0/../x` would have been read as `threshold`).
///
/// The walk follows the message's protobuf-c descriptor; unknown fields are skipped, as protobuf
/// does, and count toward the total.
public struct WireLimits: Sendable {
    /// Most elements in one repeated field.
    public var maxRepeated: Int = 1024
    /// Most elements (fields present, repeated elements) in the whole message, nested ones too.
    public var maxElements: Int = 16_384
    /// Deepest nesting of messages.
    public var maxDepth: Int = 16

    public init() {}

    /// Limits of a request payload (fluxiond's defaults; see docs/PROTOCOL.md).
    public static let request = WireLimits()

    /// Limits of an envelope: besides `request`'s, metadata entries and their bytes.
    public struct Envelope: Sendable {
        public var maxMetadataEntries = 64
        /// Key and value bytes of all entries together.
        public var maxMetadataBytes = 16 * 1024
        public init() {}
    }
}

/// What `WireLimits` refused, naming the field (as `message.field`) and the limit.
public struct WireLimitError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        case tooManyElements, tooDeep, nulInString, malformed
    }
    public let kind: Kind
    public let message: String

    /// Sizes are RESOURCE_EXHAUSTED (a bounded resource ran out); a NUL byte or broken encoding
    /// is INVALID_ARGUMENT.
    public var status: Wire.StatusCode {
        switch kind {
        case .tooManyElements, .tooDeep: .resourceExhausted
        case .nulInString, .malformed: .invalidArgument
        }
    }
    public var description: String { message }
}

extension WireLimits {
    /// Checks an encoded request of `method` (its short name, e.g. `QueryAlerts`).
    public func checkRequest(_ bytes: UnsafeRawBufferPointer, method: String) throws(WireLimitError) {
        guard let descriptor = Self.inputDescriptor(method) else { return }
        var walk = Walk(limits: self, metadata: nil)
        try walk.top(bytes, descriptor)
    }

    public func checkRequest(_ bytes: [UInt8], method: String) throws(WireLimitError) {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(WireLimitError) in try checkRequest(raw, method: method) }
        }
        try result.get()
    }

    /// Checks an encoded envelope; `metadata` adds the limits on its metadata entries.
    public func checkEnvelope(_ bytes: UnsafeRawBufferPointer, metadata: Envelope) throws(WireLimitError) {
        var walk = Walk(limits: self, metadata: metadata)
        try walk.top(bytes, WireLimits.envelopeDescriptor)
    }

    /// The call id of an envelope (field 1), read without decoding the rest: how a refused
    /// request is still answered on its own call.
    public static func peekCallID(_ bytes: UnsafeRawBufferPointer) -> (callID: UInt64, kind: UInt64)? {
        var r = WireReader(bytes)
        var callID: UInt64?, kind: UInt64 = 0
        while !r.atEnd {
            guard let tag = r.varint() else { return nil }
            let field = tag >> 3, type = tag & 7
            if type == 0, field == 1 || field == 2 {
                guard let v = r.varint() else { return nil }
                if field == 1 { callID = v } else { kind = v }
            } else if !r.skip(type) {
                return nil
            }
        }
        return callID.map { ($0, kind) }
    }

    /// The address of the generated `fluxion__v1__envelope__descriptor` itself, as `…__init`
    /// stores it in a message. (`withUnsafePointer(to:)` on the imported global would give the
    /// address of a temporary copy, valid only inside its closure.)
    nonisolated(unsafe) static let envelopeDescriptor: UnsafePointer<ProtobufCMessageDescriptor> = {
        var m = Fluxion__V1__Envelope()
        fluxion__v1__envelope__init(&m)
        return m.base.descriptor
    }()

    static func inputDescriptor(_ method: String) -> UnsafePointer<ProtobufCMessageDescriptor>? {
        withUnsafePointer(to: fluxion__v1__fluxion__descriptor) { service in
            for i in 0..<Int(service.pointee.n_methods) {
                let m = service.pointee.methods[i]
                if let name = m.name, String(cString: name) == method { return m.input }
            }
            return nil
        }
    }
}

private struct Walk {
    let limits: WireLimits
    var elements = 0
    /// Envelope metadata entries and their encoded bytes.
    var metadataEntries = 0
    var metadataBytes = 0

    let metadata: WireLimits.Envelope?

    init(limits: WireLimits, metadata: WireLimits.Envelope?) {
        self.limits = limits
        self.metadata = metadata
    }

    /// Counts one metadata entry of `bytes` encoded bytes against the envelope's limits.
    private mutating func metadataEntry(_ bytes: Int) throws(WireLimitError) {
        guard let metadata else { return }
        metadataEntries += 1
        metadataBytes += bytes
        if metadataEntries > metadata.maxMetadataEntries {
            throw WireLimitError(
                kind: .tooManyElements, message: "metadata: more than \(metadata.maxMetadataEntries) entries")
        }
        if metadataBytes > metadata.maxMetadataBytes {
            throw WireLimitError(
                kind: .tooManyElements, message: "metadata: more than \(metadata.maxMetadataBytes) bytes")
        }
    }

    mutating func message(
        _ bytes: UnsafeRawBufferPointer, _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>, depth: Int
    ) throws(WireLimitError) {
        let name = String(cString: descriptor.pointee.name)
        guard depth <= limits.maxDepth else {
            throw WireLimitError(kind: .tooDeep, message: "\(name): nested deeper than \(limits.maxDepth) messages")
        }
        let isEnvelope = descriptor == WireLimits.envelopeDescriptor
        var repeated: [UInt32: Int] = [:]
        var r = WireReader(bytes)
        while !r.atEnd {
            guard let tag = r.varint(), tag >> 3 > 0, tag >> 3 <= UInt64(UInt32.max) else { throw malformed(name) }
            let number = UInt32(tag >> 3), type = tag & 7
            guard let field = protobuf_c_message_descriptor_get_field(descriptor, number) else {
                guard r.skip(type) else { throw malformed(name) }
                try count(1, name)
                continue
            }
            let fieldName = "\(name).\(String(cString: field.pointee.name))"
            var added = 1
            if type == 2 {
                guard let body = r.lengthDelimited() else { throw malformed(name) }
                switch field.pointee.type {
                case PROTOBUF_C_TYPE_STRING:
                    if body.count > 0, memchr(body.baseAddress!, 0, body.count) != nil {
                        throw WireLimitError(kind: .nulInString, message: "\(fieldName): contains a NUL byte")
                    }
                case PROTOBUF_C_TYPE_MESSAGE:
                    if isEnvelope, number == 6 { try metadataEntry(body.count) }
                    let nested = field.pointee.descriptor.assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
                    try message(body, nested, depth: depth + 1)
                case PROTOBUF_C_TYPE_BYTES:
                    break
                default:
                    // A packed repeated scalar: count its elements.
                    added = Self.packedCount(body, field.pointee.type)
                }
            } else {
                guard r.skip(type) else { throw malformed(name) }
            }
            if field.pointee.label == PROTOBUF_C_LABEL_REPEATED {
                let n = repeated[number, default: 0] + added
                repeated[number] = n
                if n > limits.maxRepeated {
                    throw WireLimitError(
                        kind: .tooManyElements,
                        message: "\(fieldName): more than \(limits.maxRepeated) elements")
                }
            }
            try count(added, name)
        }
    }

    private mutating func count(_ n: Int, _ name: String) throws(WireLimitError) {
        elements += n
        if elements > limits.maxElements {
            throw WireLimitError(
                kind: .tooManyElements, message: "\(name): more than \(limits.maxElements) elements in one message")
        }
    }

    private func malformed(_ name: String) -> WireLimitError {
        WireLimitError(kind: .malformed, message: "\(name): malformed encoding")
    }

    /// Walks a whole message; a broken encoding ends the walk without an error, since the
    /// decoder refuses it anyway with its own message (and allocates nothing past the break).
    mutating func top(
        _ bytes: UnsafeRawBufferPointer, _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>
    ) throws(WireLimitError) {
        do throws(WireLimitError) {
            try message(bytes, descriptor, depth: 1)
        } catch  where error.kind == .malformed {
            return
        }
    }

    private static func packedCount(_ body: UnsafeRawBufferPointer, _ type: ProtobufCType) -> Int {
        switch type {
        case PROTOBUF_C_TYPE_FIXED64, PROTOBUF_C_TYPE_SFIXED64, PROTOBUF_C_TYPE_DOUBLE: return body.count / 8
        case PROTOBUF_C_TYPE_FIXED32, PROTOBUF_C_TYPE_SFIXED32, PROTOBUF_C_TYPE_FLOAT: return body.count / 4
        default: return body.reduce(0) { $0 + ($1 < 0x80 ? 1 : 0) }
        }
    }
}

/// A cursor over protobuf wire bytes (shared with `WireText`).
struct WireReader {
    let bytes: UnsafeRawBufferPointer
    var index = 0
    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var atEnd: Bool { index >= bytes.count }

    mutating func varint() -> UInt64? {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 70, by: 7) {
            guard index < bytes.count else { return nil }
            let b = bytes[index]
            index += 1
            if shift == 63, b > 1 { return nil }
            value |= UInt64(b & 0x7f) << UInt64(shift)
            if b < 0x80 { return value }
        }
        return nil
    }

    mutating func lengthDelimited() -> UnsafeRawBufferPointer? {
        guard let n = varint(), n <= UInt64(bytes.count - index) else { return nil }
        let start = index
        index += Int(n)
        return UnsafeRawBufferPointer(rebasing: bytes[start..<index])
    }

    /// Skips one value of wire type `type`; false when it does not fit or the type is unknown.
    mutating func skip(_ type: UInt64) -> Bool {
        switch type {
        case 0: return varint() != nil
        case 1: return advance(8)
        case 2: return lengthDelimited() != nil
        case 5: return advance(4)
        default: return false  // groups (3, 4) are not used by proto3 and are refused
        }
    }

    /// The next `n` bytes, or nil when fewer remain.
    mutating func take(_ n: Int) -> UnsafeRawBufferPointer? {
        guard bytes.count - index >= n else { return nil }
        index += n
        return UnsafeRawBufferPointer(rebasing: bytes[(index - n)..<index])
    }

    private mutating func advance(_ n: Int) -> Bool {
        guard bytes.count - index >= n else { return false }
        index += n
        return true
    }
}

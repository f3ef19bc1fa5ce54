import CFluxionProto

/// A one-line, human-readable rendering of an encoded request, from its protobuf-c descriptor:
/// `location.pipe.pipe_id="T2" location.pipe.position_m=12000 size_fraction=0.02`. For the
/// audit trail: what a caller asked for, without a hand-written printer per message.
///
/// Fields appear in wire order with their proto names, nested messages with a dotted prefix,
/// enums by value name; unknown fields are left out; strings are quoted and cut at 200 bytes;
/// the whole line at `maxBytes`.
public enum WireText {
    public static func render(_ payload: [UInt8], method: String, maxBytes: Int = 2048) -> String {
        guard let descriptor = WireLimits.inputDescriptor(method) else { return "" }
        var parts: [String] = []
        payload.withUnsafeBytes { render($0, descriptor, prefix: "", depth: 0, into: &parts) }
        return Wire.Envelope.truncated(parts.joined(separator: " "), maxBytes: maxBytes)
    }

    private static func render(
        _ bytes: UnsafeRawBufferPointer, _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>, prefix: String,
        depth: Int, into parts: inout [String]
    ) {
        guard depth < 16 else { return }
        var r = WireReader(bytes)
        while !r.atEnd {
            guard let tag = r.varint(), tag >> 3 <= UInt64(UInt32.max) else { return }
            let type = tag & 7
            guard let field = protobuf_c_message_descriptor_get_field(descriptor, UInt32(tag >> 3)) else {
                guard r.skip(type) else { return }
                continue
            }
            let name = prefix + String(cString: field.pointee.name)
            let kind = field.pointee.type
            switch type {
            case 0:
                guard let v = r.varint() else { return }
                parts.append("\(name)=\(varintText(v, field))")
            case 1:
                guard let b = r.take(8) else { return }
                let bits = b.loadUnaligned(as: UInt64.self)
                parts.append("\(name)=\(kind == PROTOBUF_C_TYPE_DOUBLE ? "\(Double(bitPattern: bits))" : "\(bits)")")
            case 5:
                guard let b = r.take(4) else { return }
                let bits = b.loadUnaligned(as: UInt32.self)
                parts.append("\(name)=\(kind == PROTOBUF_C_TYPE_FLOAT ? "\(Float(bitPattern: bits))" : "\(bits)")")
            case 2:
                guard let body = r.lengthDelimited() else { return }
                switch kind {
                case PROTOBUF_C_TYPE_MESSAGE:
                    let nested = field.pointee.descriptor.assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
                    render(body, nested, prefix: name + ".", depth: depth + 1, into: &parts)
                case PROTOBUF_C_TYPE_STRING:
                    let text = Wire.Envelope.truncated(String(decoding: body, as: UTF8.self), maxBytes: 200)
                    let escaped = text.flatMap { $0 == "\"" || $0 == "\\" ? ["\\", $0] : [$0] }
                    parts.append("\(name)=\"\(String(escaped))\"")
                default:
                    parts.append("\(name)=<\(body.count) bytes>")
                }
            default:
                return
            }
        }
    }

    private static func varintText(_ v: UInt64, _ field: UnsafePointer<ProtobufCFieldDescriptor>) -> String {
        switch field.pointee.type {
        case PROTOBUF_C_TYPE_BOOL: return v != 0 ? "true" : "false"
        case PROTOBUF_C_TYPE_ENUM:
            let e = field.pointee.descriptor.assumingMemoryBound(to: ProtobufCEnumDescriptor.self)
            if let value = protobuf_c_enum_descriptor_get_value(e, Int32(truncatingIfNeeded: v)) {
                return String(cString: value.pointee.name)
            }
            return "\(v)"
        case PROTOBUF_C_TYPE_INT32, PROTOBUF_C_TYPE_INT64: return "\(Int64(bitPattern: v))"
        case PROTOBUF_C_TYPE_SINT32, PROTOBUF_C_TYPE_SINT64:
            return "\(Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1))))"
        default: return "\(v)"
        }
    }
}

/// A protocol message: a Swift value that encodes to and decodes from protobuf bytes.
///
/// The C structs of protobuf-c stay inside each message's codec file; the rest of the code
/// sees only these value types.
public protocol WireMessage: Sendable {
    /// The protobuf full name, e.g. `fluxion.v1.HealthRequest` (used in error messages).
    static var protoName: String { get }
    init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError)
    func encoded() -> [UInt8]
}

extension WireMessage {
    public init(decoding bytes: [UInt8]) throws(DecodeError) {
        do {
            self = try bytes.withUnsafeBytes { raw in try Self(decoding: raw) }
        } catch let error as DecodeError {
            throw error
        } catch {
            throw DecodeError(messageType: Self.protoName, byteCount: bytes.count)
        }
    }
}

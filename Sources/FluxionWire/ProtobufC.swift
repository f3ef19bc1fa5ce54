import CFluxionProto

#if canImport(Glibc)
    import Glibc
#endif

/// Small helpers shared by the message codecs; nothing outside FluxionWire sees protobuf-c.
enum ProtobufC {
    /// A Swift string from a protobuf-c `char *` (nil reads as empty).
    static func string(_ p: UnsafePointer<CChar>?) -> String {
        guard let p else { return "" }
        return String(cString: p)
    }

    static func string(_ p: UnsafeMutablePointer<CChar>?) -> String {
        string(UnsafePointer(p))
    }

    /// Packs `message` with the generated size and pack functions into a new array.
    static func pack<M>(
        _ message: UnsafePointer<M>,
        size: (UnsafePointer<M>?) -> Int,
        pack: (UnsafePointer<M>?, UnsafeMutablePointer<UInt8>?) -> Int
    ) -> [UInt8] {
        let n = size(message)
        return [UInt8](unsafeUninitializedCapacity: n) { buf, count in
            count = n == 0 ? 0 : pack(message, buf.baseAddress)
        }
    }

    /// Unpacks `bytes` with the generated functions, hands the message to `body`, frees it.
    static func unpack<M, R>(
        _ bytes: UnsafeRawBufferPointer, type: String,
        unpack: (UnsafeMutablePointer<ProtobufCAllocator>?, Int, UnsafePointer<UInt8>?) ->
            UnsafeMutablePointer<M>?,
        free: (UnsafeMutablePointer<M>?, UnsafeMutablePointer<ProtobufCAllocator>?) -> Void,
        _ body: (M) throws(DecodeError) -> R
    ) throws(DecodeError) -> R {
        guard
            let m = unpack(nil, bytes.count, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self))
        else { throw DecodeError(messageType: type, byteCount: bytes.count) }
        defer { free(m, nil) }
        return try body(m.pointee)
    }

    /// Swift strings from a repeated `char **` field.
    static func strings(_ n: Int, _ p: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [String] {
        guard let p, n > 0 else { return [] }
        return (0..<n).map { string(p[$0]) }
    }
}

/// Owns C copies of Swift strings for the duration of one pack; frees them on deinit.
final class CStrings {
    private var owned: [UnsafeMutablePointer<CChar>] = []

    func dup(_ s: String) -> UnsafeMutablePointer<CChar> {
        let p = strdup(s)!
        owned.append(p)
        return p
    }

    /// A `char **` array of copies of `items`, owned by this object.
    func array(_ items: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        guard !items.isEmpty else { return nil }
        let arr = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: items.count)
        for (i, s) in items.enumerated() { arr[i] = dup(s) }
        arrays.append(UnsafeMutableRawPointer(arr))
        return arr
    }

    /// Scratch memory for `count` values of `T`, owned by this object (for nested messages).
    func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let p = UnsafeMutablePointer<T>.allocate(capacity: max(count, 1))
        arrays.append(UnsafeMutableRawPointer(p))
        return p
    }

    private var arrays: [UnsafeMutableRawPointer] = []

    deinit {
        for p in owned { free(p) }
        for p in arrays { p.deallocate() }
    }
}

/// A message payload that does not decode as the type the method expects.
public struct DecodeError: Error, Equatable, CustomStringConvertible {
    public let messageType: String
    public let byteCount: Int
    public init(messageType: String, byteCount: Int) {
        self.messageType = messageType
        self.byteCount = byteCount
    }
    public var description: String {
        "payload of \(byteCount) bytes does not decode as \(messageType)"
    }
}

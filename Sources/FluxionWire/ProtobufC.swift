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

    /// Unpacks `bytes` with the generated function and hands the message to `body`.
    ///
    /// protobuf-c allocates every nested message and string separately; here it allocates from
    /// an arena released in one go, which makes decoding a batch of readings several times
    /// cheaper than with malloc/free per piece (nothing needs freeing one by one).
    static func unpack<M, R>(
        _ bytes: UnsafeRawBufferPointer, type: String,
        unpack: (UnsafeMutablePointer<ProtobufCAllocator>?, Int, UnsafePointer<UInt8>?) ->
            UnsafeMutablePointer<M>?,
        _ body: (M) throws(DecodeError) -> R
    ) throws(DecodeError) -> R {
        let arena = Arena(initialBytes: bytes.count * 4 + 256)
        var allocator = ProtobufCAllocator(
            alloc: arenaAlloc, free: arenaFree,
            allocator_data: Unmanaged.passUnretained(arena).toOpaque())
        return try withExtendedLifetime(arena) { () throws(DecodeError) -> R in
            guard
                let m = unpack(&allocator, bytes.count, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self))
            else { throw DecodeError(messageType: type, byteCount: bytes.count) }
            return try body(m.pointee)
        }
    }

    /// A Swift byte array from a protobuf-c `bytes` field.
    static func bytes(_ b: ProtobufCBinaryData) -> [UInt8] {
        guard b.len > 0, let data = b.data else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: b.len))
    }

    /// Swift strings from a repeated `char **` field.
    static func strings(_ n: Int, _ p: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [String] {
        guard let p, n > 0 else { return [] }
        return (0..<n).map { string(p[$0]) }
    }
}

/// Owns the C copies of Swift strings and the nested structs of one pack, in one arena freed on
/// deinit.
final class CStrings {
    private let arena = Arena(initialBytes: 4096)

    func dup(_ s: String) -> UnsafeMutablePointer<CChar> {
        var s = s
        return s.withUTF8 { utf8 in
            let p = arena.allocate(utf8.count + 1, alignment: 1).assumingMemoryBound(to: CChar.self)
            if let base = utf8.baseAddress { UnsafeMutableRawPointer(p).copyMemory(from: base, byteCount: utf8.count) }
            p[utf8.count] = 0
            return p
        }
    }

    /// A `char **` array of copies of `items`, owned by this object.
    func array(_ items: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        guard !items.isEmpty else { return nil }
        let arr = allocate(UnsafeMutablePointer<CChar>?.self, count: items.count)
        for (i, s) in items.enumerated() { arr[i] = dup(s) }
        return arr
    }

    /// Scratch memory for `count` values of `T`, owned by this object (for nested messages).
    func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        arena.allocate(MemoryLayout<T>.stride * max(count, 1), alignment: MemoryLayout<T>.alignment)
            .bindMemory(to: T.self, capacity: max(count, 1))
    }
}

/// A bump allocator: memory handed out in order from large blocks, all freed together.
final class Arena {
    private var blocks: [UnsafeMutableRawPointer] = []
    private var cursor: UnsafeMutableRawPointer?
    private var remaining = 0
    private let blockBytes: Int

    init(initialBytes: Int) {
        blockBytes = max(initialBytes, 256)
    }

    func allocate(_ byteCount: Int, alignment: Int = 16) -> UnsafeMutableRawPointer {
        if let c = cursor {
            let aligned = (Int(bitPattern: c) + alignment - 1) & ~(alignment - 1)
            let padding = aligned - Int(bitPattern: c)
            if padding + byteCount <= remaining {
                cursor = c + padding + byteCount
                remaining -= padding + byteCount
                return c + padding
            }
        }
        let size = max(blockBytes << min(blocks.count, 8), byteCount + alignment)
        let block = malloc(size)!
        blocks.append(block)
        let aligned = (Int(bitPattern: block) + alignment - 1) & ~(alignment - 1)
        let start = block + (aligned - Int(bitPattern: block))
        cursor = start + byteCount
        remaining = size - (aligned - Int(bitPattern: block)) - byteCount
        return start
    }

    deinit {
        for b in blocks { free(b) }
    }
}

private let arenaAlloc: @convention(c) (UnsafeMutableRawPointer?, Int) -> UnsafeMutableRawPointer? = { data, size in
    Unmanaged<Arena>.fromOpaque(data!).takeUnretainedValue().allocate(max(size, 1))
}

/// Arena memory is released with the arena.
private let arenaFree: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void = { _, _ in }

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

extension CStrings {
    /// A protobuf-c repeated message field (`n_x`, `x`) built from Swift values, owned by this
    /// object: `initialize` is the generated `…__init`, `fill` copies one value in.
    func messages<C, S>(
        _ items: [S], initialize: (UnsafeMutablePointer<C>) -> Void, fill: (S, UnsafeMutablePointer<C>) -> Void
    ) -> (count: Int, pointer: UnsafeMutablePointer<UnsafeMutablePointer<C>?>?) {
        guard !items.isEmpty else { return (0, nil) }
        let structs = allocate(C.self, count: items.count)
        let pointers = allocate(UnsafeMutablePointer<C>?.self, count: items.count)
        for (i, item) in items.enumerated() {
            initialize(structs + i)
            fill(item, structs + i)
            pointers[i] = structs + i
        }
        return (items.count, pointers)
    }

    /// A protobuf-c repeated scalar or enum field (`n_x`, `x`) from Swift values, owned by this object.
    func values<C, S>(_ items: [S], _ convert: (S) -> C) -> (count: Int, pointer: UnsafeMutablePointer<C>?) {
        guard !items.isEmpty else { return (0, nil) }
        let p = allocate(C.self, count: items.count)
        for (i, item) in items.enumerated() { p[i] = convert(item) }
        return (items.count, p)
    }

    /// A copy of `bytes` as a protobuf-c `bytes` value, owned by this object.
    func bytes(_ bytes: [UInt8]) -> ProtobufCBinaryData {
        guard !bytes.isEmpty else { return ProtobufCBinaryData(len: 0, data: nil) }
        let p = allocate(UInt8.self, count: bytes.count)
        bytes.withUnsafeBufferPointer { p.update(from: $0.baseAddress!, count: bytes.count) }
        return ProtobufCBinaryData(len: bytes.count, data: p)
    }

    /// One nested message (a singular message field), owned by this object.
    func message<C>(
        initialize: (UnsafeMutablePointer<C>) -> Void, fill: (UnsafeMutablePointer<C>) -> Void
    ) -> UnsafeMutablePointer<C> {
        let p = allocate(C.self, count: 1)
        initialize(p)
        fill(p)
        return p
    }
}

extension ProtobufC {
    /// Swift values from a protobuf-c repeated message field.
    static func list<C, S>(_ n: Int, _ p: UnsafeMutablePointer<UnsafeMutablePointer<C>?>?, _ convert: (C) -> S) -> [S] {
        guard let p, n > 0 else { return [] }
        var out: [S] = []
        out.reserveCapacity(n)
        for i in 0..<n { if let item = p[i] { out.append(convert(item.pointee)) } }
        return out
    }

    /// Swift values from a repeated scalar or enum field (`n_x`, `x`).
    static func values<C, S>(_ n: Int, _ p: UnsafeMutablePointer<C>?, _ convert: (C) -> S) -> [S] {
        guard let p, n > 0 else { return [] }
        return (0..<n).map { convert(p[$0]) }
    }
}

/// Incremental decoder of length-prefixed frames.
///
/// Bytes arrive in arbitrary pieces (a frame split at any byte, many frames in one read);
/// `append` buffers them and `nextFrame` hands out each complete frame body in order.
/// The 4-byte big-endian length prefix is checked against `maxFrameBytes` as soon as it is
/// complete, so an oversized frame is refused before any memory is set aside for its body.
public struct FrameDecoder: Sendable {
    /// Size of the length prefix in bytes.
    public static let headerBytes = 4
    /// Default largest frame body: 4 MiB, as gRPC.
    public static let defaultMaxFrameBytes = 4 * 1024 * 1024

    public let maxFrameBytes: Int
    private var buffer: [UInt8] = []
    private var readIndex = 0

    public init(maxFrameBytes: Int = FrameDecoder.defaultMaxFrameBytes) {
        self.maxFrameBytes = maxFrameBytes
    }

    /// Bytes buffered and not yet handed out.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Buffers above this capacity are given back once drained (a 4 MiB frame must not pin
    /// 4 MiB per connection for the connection's life).
    public static let retainedCapacity = 256 * 1024

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= Self.retainedCapacity)
            readIndex = 0
        } else if readIndex > 65536 && readIndex * 2 > buffer.count {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// Hands the next complete frame body to `body` and consumes it; returns nil when no
    /// complete frame is buffered. The pointer is valid only inside `body`.
    public mutating func nextFrame<R>(
        _ body: (UnsafeRawBufferPointer) throws -> R
    ) throws -> R? {
        let available = buffer.count - readIndex
        guard available >= Self.headerBytes else { return nil }
        let declared = buffer.withUnsafeBufferPointer { p -> UInt32 in
            var v: UInt32 = 0
            for i in 0..<4 { v = v << 8 | UInt32(p[readIndex + i]) }
            return v
        }
        guard Int(declared) <= maxFrameBytes else {
            throw FrameError.tooLarge(declared: declared, limit: maxFrameBytes)
        }
        let total = Self.headerBytes + Int(declared)
        guard available >= total else { return nil }
        let start = readIndex + Self.headerBytes
        readIndex += total
        return try buffer.withUnsafeBytes { raw in
            try body(UnsafeRawBufferPointer(rebasing: raw[start..<(start + Int(declared))]))
        }
    }

    /// Gives the buffer's memory back when everything in it has been handed out and it has grown
    /// past `retainedCapacity`.
    public mutating func releaseIfDrained() {
        guard readIndex == buffer.count, buffer.capacity > Self.retainedCapacity else { return }
        buffer = []
        readIndex = 0
    }

    /// Removes and returns up to `count` raw bytes (used for the preface, before framing starts).
    public mutating func takeRaw(_ count: Int) -> [UInt8]? {
        guard buffer.count - readIndex >= count else { return nil }
        let out = Array(buffer[readIndex..<(readIndex + count)])
        readIndex += count
        return out
    }
}

extension FrameDecoder {
    /// Writes a big-endian length prefix for `length` into `out` at `offset`.
    @inlinable
    public static func writeHeader(
        _ length: Int, into out: UnsafeMutableRawBufferPointer, at offset: Int = 0
    ) {
        let v = UInt32(length)
        out[offset] = UInt8(truncatingIfNeeded: v >> 24)
        out[offset + 1] = UInt8(truncatingIfNeeded: v >> 16)
        out[offset + 2] = UInt8(truncatingIfNeeded: v >> 8)
        out[offset + 3] = UInt8(truncatingIfNeeded: v)
    }
}

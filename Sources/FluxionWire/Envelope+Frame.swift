import CFluxionProto

extension Wire.Envelope {
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

extension Wire.Envelope {
    /// The envelope as a whole frame: 4-byte big-endian length, then the encoded envelope.
    public func encodedFrame() -> [UInt8] {
        withCMessage { m in
            let size = fluxion__v1__envelope__get_packed_size(m)
            return [UInt8](unsafeUninitializedCapacity: FrameDecoder.headerBytes + size) {
                buf, count in
                FrameDecoder.writeHeader(size, into: UnsafeMutableRawBufferPointer(buf))
                let written = fluxion__v1__envelope__pack(m, buf.baseAddress! + FrameDecoder.headerBytes)
                count = FrameDecoder.headerBytes + written
            }
        }
    }

    /// Decodes one frame body (without its length prefix).
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(FrameError) -> Wire.Envelope {
        do {
            return try Wire.Envelope(decoding: bytes)
        } catch {
            throw .malformedEnvelope(byteCount: bytes.count)
        }
    }
}

extension Wire.Envelope {
    /// Packs the whole frame (length prefix + envelope) into memory that `allocate` returns for
    /// the byte count it is given; returns that count. Lets a writer put the frame in a buffer
    /// it owns (e.g. next to its I/O request) with no intermediate copy.
    public func encodeFrame(allocate: (Int) -> UnsafeMutableRawPointer) -> Int {
        withCMessage { m in
            let size = fluxion__v1__envelope__get_packed_size(m)
            let total = FrameDecoder.headerBytes + size
            let out = allocate(total)
            FrameDecoder.writeHeader(size, into: UnsafeMutableRawBufferPointer(start: out, count: total))
            _ = fluxion__v1__envelope__pack(m, out.assumingMemoryBound(to: UInt8.self) + FrameDecoder.headerBytes)
            return total
        }
    }
}

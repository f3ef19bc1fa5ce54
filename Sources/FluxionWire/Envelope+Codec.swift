import CFluxionProto

extension Envelope {
    /// The envelope as a whole frame: 4-byte big-endian length, then the encoded envelope.
    public func encodedFrame() -> [UInt8] {
        withCEnvelope { m in
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
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(FrameError) -> Envelope {
        do {
            return try ProtobufC.unpack(
                bytes, type: "fluxion.v1.Envelope", unpack: fluxion__v1__envelope__unpack,
                free: fluxion__v1__envelope__free_unpacked, Envelope.init(unpacked:))
        } catch {
            throw .malformedEnvelope(byteCount: bytes.count)
        }
    }

    private init(unpacked e: Fluxion__V1__Envelope) {
        let rawKind = e.kind.rawValue
        var metadata: [MetadataEntry] = []
        if e.n_metadata > 0 {
            metadata.reserveCapacity(e.n_metadata)
            for i in 0..<e.n_metadata {
                guard let entry = e.metadata[i]?.pointee else { continue }
                metadata.append(
                    MetadataEntry(key: ProtobufC.string(entry.key), value: ProtobufC.string(entry.value)))
            }
        }
        let payload: [UInt8] =
            e.payload.len > 0 && e.payload.data != nil
            ? Array(UnsafeBufferPointer(start: e.payload.data, count: e.payload.len)) : []
        self.init(
            callID: e.call_id,
            kind: FrameKind(rawValue: UInt32(rawKind)) ?? .unspecified,
            method: ProtobufC.string(e.method),
            status: StatusCode(rawValue: Int32(bitPattern: UInt32(e.status.rawValue))) ?? .unknown,
            statusMessage: ProtobufC.string(e.status_message),
            metadata: metadata,
            payload: payload)
    }

    private func withCEnvelope<R>(_ body: (UnsafePointer<Fluxion__V1__Envelope>) -> R) -> R {
        var m = Fluxion__V1__Envelope()
        fluxion__v1__envelope__init(&m)
        m.call_id = callID
        m.kind = Fluxion__V1__FrameKind(rawValue: kind.rawValue)
        m.status = Fluxion__V1__StatusCode(rawValue: UInt32(bitPattern: status.rawValue))
        let strings = CStrings()
        m.method = strings.dup(method)
        m.status_message = strings.dup(statusMessage)
        var entries = [Fluxion__V1__MetadataEntry](repeating: .init(), count: metadata.count)
        return entries.withUnsafeMutableBufferPointer { entryBuf in
            var pointers = [UnsafeMutablePointer<Fluxion__V1__MetadataEntry>?]()
            pointers.reserveCapacity(metadata.count)
            for (i, item) in metadata.enumerated() {
                fluxion__v1__metadata_entry__init(&entryBuf[i])
                entryBuf[i].key = strings.dup(item.key)
                entryBuf[i].value = strings.dup(item.value)
                pointers.append(entryBuf.baseAddress! + i)
            }
            return pointers.withUnsafeMutableBufferPointer { ptrBuf in
                m.n_metadata = metadata.count
                m.metadata = ptrBuf.baseAddress
                return payload.withUnsafeBufferPointer { p in
                    m.payload = ProtobufCBinaryData(
                        len: p.count, data: UnsafeMutablePointer(mutating: p.baseAddress))
                    return withExtendedLifetime(strings) { withUnsafePointer(to: &m) { body($0) } }
                }
            }
        }
    }
}

extension Envelope {
    /// Packs the whole frame (length prefix + envelope) into memory that `allocate` returns for
    /// the byte count it is given; returns that count. Lets a writer put the frame in a buffer
    /// it owns (e.g. next to its I/O request) with no intermediate copy.
    public func encodeFrame(allocate: (Int) -> UnsafeMutableRawPointer) -> Int {
        withCEnvelope { m in
            let size = fluxion__v1__envelope__get_packed_size(m)
            let total = FrameDecoder.headerBytes + size
            let out = allocate(total)
            FrameDecoder.writeHeader(size, into: UnsafeMutableRawBufferPointer(start: out, count: total))
            _ = fluxion__v1__envelope__pack(m, out.assumingMemoryBound(to: UInt8.self) + FrameDecoder.headerBytes)
            return total
        }
    }
}

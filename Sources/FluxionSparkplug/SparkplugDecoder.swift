import CSparkplug

#if canImport(Glibc)
    import Glibc
#endif

/// Decodes Sparkplug B payloads with protobuf-c into a reusable arena (one decoder per thread).
///
/// protobuf-c allocates every metric and string of a payload separately; here the pieces come
/// from one block that is reused for the next payload, so decoding a payload of many metrics
/// costs no allocation once the block has grown to fit.
public final class SparkplugDecoder {
    private var arena: UnsafeMutableRawPointer
    private var capacity: Int
    private var used = 0
    private var overflow: [UnsafeMutableRawPointer] = []

    /// Largest payload accepted, bytes (larger ones are refused before decoding).
    public let maxPayloadBytes: Int

    public init(maxPayloadBytes: Int = 4 * 1024 * 1024) {
        self.maxPayloadBytes = maxPayloadBytes
        capacity = 64 * 1024
        arena = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        arena.deallocate()
        for p in overflow { free(p) }
    }

    /// Why a payload could not be decoded.
    public enum Failure: Error, Sendable, Equatable {
        case tooLarge(bytes: Int, limit: Int)
        case malformed(bytes: Int)
    }

    /// Decodes `bytes` and calls `metric` with each metric in order; returns the payload's
    /// timestamp and seq. Nothing of the payload outlives the call.
    public func decode(
        _ bytes: UnsafeRawBufferPointer, metric: (SparkplugMetric) -> Void
    ) throws(Failure) -> (timestampMs: UInt64?, seq: UInt64?) {
        guard bytes.count <= maxPayloadBytes else { throw .tooLarge(bytes: bytes.count, limit: maxPayloadBytes) }
        reset(for: bytes.count)
        var allocator = ProtobufCAllocator(
            alloc: decoderAlloc, free: decoderFree, allocator_data: Unmanaged.passUnretained(self).toOpaque())
        guard
            let payload = sparkplug__b__payload__unpack(
                &allocator, bytes.count, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self))
        else { throw .malformed(bytes: bytes.count) }
        let p = payload.pointee
        if let metrics = p.metrics {
            for i in 0..<p.n_metrics {
                guard let m = metrics[i] else { continue }
                metric(Self.metric(m.pointee))
            }
        }
        return (p.has_timestamp != 0 ? p.timestamp : nil, p.has_seq != 0 ? p.seq : nil)
    }

    /// Decodes `bytes` into a value (tests, tools).
    public func decode(_ bytes: [UInt8]) throws(Failure) -> SparkplugPayload {
        var metrics: [SparkplugMetric] = []
        let header: Result<(timestampMs: UInt64?, seq: UInt64?), Failure> = bytes.withUnsafeBytes { raw in
            do throws(Failure) { return .success(try decode(raw) { metrics.append($0) }) } catch {
                return .failure(error)
            }
        }
        let h = try header.get()
        return SparkplugPayload(timestampMs: h.timestampMs, seq: h.seq, metrics: metrics)
    }

    private static func metric(_ m: Sparkplug__B__Payload__Metric) -> SparkplugMetric {
        let value: SparkplugValue
        if m.has_is_null != 0, m.is_null != 0 {
            value = .null
        } else {
            switch m.value_case {
            case SPARKPLUG__B__PAYLOAD__METRIC__VALUE_INT_VALUE: value = .int(m.int_value)
            case SPARKPLUG__B__PAYLOAD__METRIC__VALUE_LONG_VALUE: value = .long(m.long_value)
            case SPARKPLUG__B__PAYLOAD__METRIC__VALUE_FLOAT_VALUE: value = .float(m.float_value)
            case SPARKPLUG__B__PAYLOAD__METRIC__VALUE_DOUBLE_VALUE: value = .double(m.double_value)
            case SPARKPLUG__B__PAYLOAD__METRIC__VALUE_BOOLEAN_VALUE: value = .boolean(m.boolean_value != 0)
            case SPARKPLUG__B__PAYLOAD__METRIC__VALUE_STRING_VALUE:
                value = .string(m.string_value.map { String(cString: $0) } ?? "")
            case SPARKPLUG__B__PAYLOAD__METRIC__VALUE_BYTES_VALUE: value = .bytes(m.bytes_value.len)
            default: value = .null
            }
        }
        return SparkplugMetric(
            name: m.name.map { String(cString: $0) }, alias: m.has_alias != 0 ? m.alias : nil,
            timestampMs: m.has_timestamp != 0 ? m.timestamp : nil, dataType: m.has_datatype != 0 ? m.datatype : nil,
            value: value)
    }

    // MARK: The arena

    /// Makes the arena at least a few times the payload (decoded structs are larger than their
    /// encoding) and empties it.
    private func reset(for payloadBytes: Int) {
        for p in overflow { free(p) }
        overflow.removeAll(keepingCapacity: true)
        used = 0
        let wanted = payloadBytes * 6 + 1024
        if wanted > capacity {
            arena.deallocate()
            capacity = max(wanted, capacity * 2)
            arena = .allocate(byteCount: capacity, alignment: 16)
        }
    }

    fileprivate func allocate(_ size: Int) -> UnsafeMutableRawPointer? {
        let aligned = (size + 15) & ~15
        if used + aligned <= capacity {
            defer { used += aligned }
            return arena + used
        }
        // Rare (a payload of unusually many small pieces): fall back to malloc, freed at the next reset.
        guard let p = malloc(max(size, 1)) else { return nil }
        overflow.append(p)
        return p
    }
}

private let decoderAlloc: @convention(c) (UnsafeMutableRawPointer?, Int) -> UnsafeMutableRawPointer? = { data, size in
    Unmanaged<SparkplugDecoder>.fromOpaque(data!).takeUnretainedValue().allocate(size)
}

/// Nothing is freed one by one: the arena is emptied before the next payload.
private let decoderFree: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void = { _, _ in }

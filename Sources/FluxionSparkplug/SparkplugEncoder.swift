import CSparkplug

#if canImport(Glibc)
    import Glibc
#endif

/// Encodes Sparkplug B payloads with protobuf-c.
public enum SparkplugEncoder {
    /// The bytes of `payload`.
    public static func encode(_ payload: SparkplugPayload) -> [UInt8] {
        var strings: [UnsafeMutablePointer<CChar>] = []
        defer { for s in strings { free(s) } }
        let n = payload.metrics.count
        let structs = UnsafeMutablePointer<Sparkplug__B__Payload__Metric>.allocate(capacity: max(n, 1))
        let pointers = UnsafeMutablePointer<UnsafeMutablePointer<Sparkplug__B__Payload__Metric>?>.allocate(
            capacity: max(n, 1))
        defer {
            structs.deallocate()
            pointers.deallocate()
        }
        for (i, metric) in payload.metrics.enumerated() {
            let m = structs + i
            sparkplug__b__payload__metric__init(m)
            if let name = metric.name, let c = strdup(name) {
                strings.append(c)
                m.pointee.name = c
            }
            if let alias = metric.alias {
                m.pointee.has_alias = 1
                m.pointee.alias = alias
            }
            if let ts = metric.timestampMs {
                m.pointee.has_timestamp = 1
                m.pointee.timestamp = ts
            }
            if let type = metric.dataType {
                m.pointee.has_datatype = 1
                m.pointee.datatype = type
            }
            switch metric.value {
            case .int(let v):
                m.pointee.value_case = SPARKPLUG__B__PAYLOAD__METRIC__VALUE_INT_VALUE
                m.pointee.int_value = v
            case .long(let v):
                m.pointee.value_case = SPARKPLUG__B__PAYLOAD__METRIC__VALUE_LONG_VALUE
                m.pointee.long_value = v
            case .float(let v):
                m.pointee.value_case = SPARKPLUG__B__PAYLOAD__METRIC__VALUE_FLOAT_VALUE
                m.pointee.float_value = v
            case .double(let v):
                m.pointee.value_case = SPARKPLUG__B__PAYLOAD__METRIC__VALUE_DOUBLE_VALUE
                m.pointee.double_value = v
            case .boolean(let v):
                m.pointee.value_case = SPARKPLUG__B__PAYLOAD__METRIC__VALUE_BOOLEAN_VALUE
                m.pointee.boolean_value = v ? 1 : 0
            case .string(let v):
                if let c = strdup(v) {
                    strings.append(c)
                    m.pointee.value_case = SPARKPLUG__B__PAYLOAD__METRIC__VALUE_STRING_VALUE
                    m.pointee.string_value = c
                }
            case .bytes, .null:
                m.pointee.has_is_null = 1
                m.pointee.is_null = 1
            }
            pointers[i] = m
        }
        var p = Sparkplug__B__Payload()
        sparkplug__b__payload__init(&p)
        if let ts = payload.timestampMs {
            p.has_timestamp = 1
            p.timestamp = ts
        }
        if let seq = payload.seq {
            p.has_seq = 1
            p.seq = seq
        }
        p.n_metrics = n
        p.metrics = n > 0 ? pointers : nil
        let size = sparkplug__b__payload__get_packed_size(&p)
        return [UInt8](unsafeUninitializedCapacity: size) { buf, count in
            count = size == 0 ? 0 : sparkplug__b__payload__pack(&p, buf.baseAddress)
        }
    }
}

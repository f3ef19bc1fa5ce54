// libFuzzer entry for the Sparkplug B payload decoder (field data), built with AddressSanitizer
// by scripts/fuzz.sh together with Sources/FluxionSparkplug's codec and the protobuf-c code of
// Protos/sparkplug (not a SwiftPM target).
//
// The input is one MQTT payload. Whatever decodes must re-encode to a fixed point: the encoding
// of a decoded payload, decoded and encoded again, gives the same bytes. A decode may fail; it
// must never crash, leak past ASan, or hang.

@_cdecl("LLVMFuzzerTestOneInput")
public func fluxionFuzzSparkplug(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let decoder = SparkplugDecoder(maxPayloadBytes: 1 << 20)
    guard let first = try? decoder.decode(Array(UnsafeBufferPointer(start: data, count: size))) else { return 0 }
    let once = SparkplugEncoder.encode(first)
    guard let second = try? decoder.decode(once) else { fatalError("a re-encoded payload does not decode") }
    let twice = SparkplugEncoder.encode(second)
    if once != twice { fatalError("re-encoding is not a fixed point: \(once.count) vs \(twice.count) bytes") }
    // Topics come from the same untrusted place.
    _ = SparkplugTopic(
        parsing: String(decoding: UnsafeBufferPointer(start: data, count: min(size, 256)), as: UTF8.self))
    return 0
}

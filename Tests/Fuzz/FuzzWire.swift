// libFuzzer entry for the wire layer, built with AddressSanitizer by scripts/fuzz.sh (not a
// SwiftPM target: it is compiled together with Sources/FluxionWire into one instrumented binary).
//
// The first byte picks what the rest of the input is:
//   0: a byte stream after the preface: FrameDecoder → WireLimits.checkEnvelope → Envelope.decode
//   1: a request payload of the method picked by the second byte: WireLimits.checkRequest →
//      the request's decoder → WireText
//   2: a response or stream message (what a client decodes), picked by the second byte
// Whatever decodes must re-encode to a fixed point: decode(encode(m)) encodes to the same bytes.
// A decode may throw; it must never crash, leak past ASan, or hang.

@_cdecl("LLVMFuzzerTestOneInput")
public func fluxionFuzzWire(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 2 else { return 0 }
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let body = UnsafeRawBufferPointer(rebasing: input[2...])
    switch input[0] % 3 {
    case 0: fuzzFrames(UnsafeRawBufferPointer(rebasing: input[1...]))
    case 1:
        let (method, type) = requests[Int(input[1]) % requests.count]
        fuzzRequest(body, method: method, type)
    default:
        fuzzMessage(body, messages[Int(input[1]) % messages.count])
    }
    return 0
}

/// Every method with its request type, and every message type (what a client decodes), from the
/// generated tables: a message added to the .proto is fuzzed without an edit here.
private let requests: [(String, any WireMessage.Type)] = Wire.Fluxion.methods.map {
    ($0.name, Wire.Fluxion.requestTypes[$0.name]!)
}

private let messages: [any WireMessage.Type] = Wire.messageTypes

private func fuzzFrames(_ bytes: UnsafeRawBufferPointer) {
    var decoder = FrameDecoder(maxFrameBytes: 1 << 20)
    decoder.append(bytes)
    while true {
        let frame: Wire.Envelope??
        do {
            frame = try decoder.nextFrame { raw -> Wire.Envelope? in
                do throws(WireLimitError) {
                    try WireLimits.request.checkEnvelope(raw, metadata: WireLimits.Envelope())
                } catch {
                    _ = WireLimits.peekCallID(raw)
                    return nil
                }
                return try? Wire.Envelope.decode(raw)
            }
        } catch {
            return  // a length over the limit: the connection would get GOAWAY
        }
        guard let frame else { return }  // no complete frame left
        if let envelope = frame { checkFixedPoint(envelope) }
    }
}

private func checkFixedPoint(_ envelope: Wire.Envelope) {
    let once = envelope.encodedFrame()
    let again = once.withUnsafeBytes { raw in
        try? Wire.Envelope.decode(UnsafeRawBufferPointer(rebasing: raw[FrameDecoder.headerBytes...]))
    }
    guard let again else { fatalError("an envelope re-encoded to bytes that do not decode") }
    let twice = again.encodedFrame()
    let third = twice.withUnsafeBytes { raw in
        try? Wire.Envelope.decode(UnsafeRawBufferPointer(rebasing: raw[FrameDecoder.headerBytes...]))
    }
    guard third?.encodedFrame() == twice else { fatalError("envelope encoding is not a fixed point") }
}

private func fuzzRequest(_ bytes: UnsafeRawBufferPointer, method: String, _ type: any WireMessage.Type) {
    do throws(WireLimitError) { try WireLimits.request.checkRequest(bytes, method: method) } catch { return }
    _ = WireText.render(Array(bytes), method: method)
    fuzzMessage(bytes, type)
}

private func fuzzMessage(_ bytes: UnsafeRawBufferPointer, _ type: any WireMessage.Type) {
    guard let message = try? type.init(decoding: bytes) else { return }
    let once = message.encoded()
    guard let again = try? type.init(decoding: once) else {
        fatalError("\(type) re-encoded to bytes that do not decode")
    }
    let twice = again.encoded()
    guard let third = try? type.init(decoding: twice), third.encoded() == twice else {
        fatalError("\(type) encoding is not a fixed point")
    }
}

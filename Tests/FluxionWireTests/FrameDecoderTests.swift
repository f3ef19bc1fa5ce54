import Testing

@testable import FluxionWire

@Suite struct FrameDecoderTests {
    func frames(_ envelopes: [Wire.Envelope]) -> [UInt8] {
        envelopes.flatMap { $0.encodedFrame() }
    }

    func drain(_ decoder: inout FrameDecoder) throws -> [Wire.Envelope] {
        var out: [Wire.Envelope] = []
        while let e = try decoder.nextFrame({ try Wire.Envelope.decode($0) }) { out.append(e) }
        return out
    }

    let sample: [Wire.Envelope] = [
        Wire.Envelope(
            callID: 1, kind: .request, method: "fluxion.v1.Fluxion/Health",
            metadata: [Wire.MetadataEntry(key: "client", value: "tests")], payload: []),
        Wire.Envelope(callID: 2, kind: .request, method: "fluxion.v1.Fluxion/GetServerInfo", payload: [1, 2, 3]),
        Wire.Envelope(callID: 0, kind: .ping, payload: Array(repeating: 0xAB, count: 1000)),
        Wire.Envelope(callID: 9, kind: .end, status: .invalidArgument, statusMessage: "bad ✓ unicode"),
    ]

    @Test func manyFramesInOneRead() throws {
        var decoder = FrameDecoder()
        decoder.append(frames(sample))
        #expect(try drain(&decoder) == sample)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func frameSplitAtEveryByte() throws {
        let bytes = frames(sample)
        for cut in 1..<bytes.count {
            var decoder = FrameDecoder()
            decoder.append(Array(bytes[..<cut]))
            var got = try drain(&decoder)
            decoder.append(Array(bytes[cut...]))
            got += try drain(&decoder)
            #expect(got == sample, "split at byte \(cut)")
        }
    }

    @Test func oneByteAtATime() throws {
        var decoder = FrameDecoder()
        var got: [Wire.Envelope] = []
        for b in frames(sample) {
            decoder.append([b])
            got += try drain(&decoder)
        }
        #expect(got == sample)
    }

    @Test func oversizedLengthIsRefusedFromThePrefixAlone() {
        var decoder = FrameDecoder(maxFrameBytes: 1024)
        // Only the 4-byte prefix has arrived: the decoder must refuse without waiting for the body.
        decoder.append([0x00, 0x00, 0x04, 0x01])
        #expect(throws: FrameError.tooLarge(declared: 1025, limit: 1024)) {
            _ = try decoder.nextFrame { $0.count }
        }
        var huge = FrameDecoder()
        huge.append([0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: FrameError.tooLarge(declared: UInt32.max, limit: FrameDecoder.defaultMaxFrameBytes)) {
            _ = try huge.nextFrame { $0.count }
        }
    }

    @Test func frameAtExactlyTheLimitIsAccepted() throws {
        var decoder = FrameDecoder(maxFrameBytes: 16)
        decoder.append([0, 0, 0, 16] + Array(repeating: 7, count: 16))
        #expect(try decoder.nextFrame { $0.count } == 16)
    }

    @Test func garbageEnvelopeIsAnError() {
        // 0xFF is a field tag with wire type 7, which does not exist.
        let body: [UInt8] = [0xFF, 0xFF, 0xFF]
        #expect(throws: FrameError.malformedEnvelope(byteCount: 3)) {
            try body.withUnsafeBytes { try Wire.Envelope.decode($0) }
        }
    }

    @Test func headerIsBigEndian() {
        let frame = Wire.Envelope(callID: 1, kind: .ping, payload: Array(repeating: 1, count: 300)).encodedFrame()
        let declared = Int(frame[0]) << 24 | Int(frame[1]) << 16 | Int(frame[2]) << 8 | Int(frame[3])
        #expect(declared == frame.count - 4)
        #expect(declared > 255)
    }
}

import Testing

@testable import FluxionWire

/// Mutation fuzzing of the decoders (protobuf-c 1.4.1 unpack behind them): valid encodings with
/// bytes flipped, cut, duplicated and spliced, and random byte strings. A decode may throw; it
/// must never crash, hang or return a value that does not re-encode. Seeded: every run checks
/// the same inputs, so a failure reproduces.
@Suite struct DecoderFuzzTests {
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func seeds() -> [[UInt8]] {
        var request = Wire.StreamReadingsRequest()
        request.sensorIDs = ["PT-1", "FT-2"]
        request.quantities = [.pressure, .flow]
        request.maxRateHz = 5
        var leak = Wire.Leak()
        leak.leakID = "L1"
        leak.pipeID = "T2"
        leak.positionM = 1200
        return [
            Wire.Envelope(
                callID: 7, kind: .request, method: "fluxion.v1.Fluxion/Health",
                metadata: [Wire.MetadataEntry(key: "k", value: "v")], payload: [1, 2, 3]
            ).encodedFrame().dropFirst(4).map { $0 },
            Wire.ReadingBatch(
                tick: 9, simTimeS: 1.5, wallTimeUnixNs: 42,
                readings: [
                    Wire.Reading(
                        sensorID: "PT-1", quantity: .pressure, value: 485_000, unit: "Pa", simTimeS: 1.5,
                        wallTimeUnixNs: 42)
                ], skippedBatches: 2
            ).encoded(),
            request.encoded(),
            Wire.InjectLeakRequest(
                where: .line(Wire.LineChainage(lineID: "trunk", chainageM: 3000)), size: .sizeFraction(0.02),
                startSimTimeS: 5
            ).encoded(),
            Wire.ListLeaksResponse(leaks: [leak, leak]).encoded(),
        ]
    }

    func mutate(_ input: [UInt8], _ rng: inout SplitMix) -> [UInt8] {
        var b = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            switch Int.random(in: 0..<5, using: &rng) {
            case 0 where !b.isEmpty:
                b[Int.random(in: 0..<b.count, using: &rng)] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
            case 1 where !b.isEmpty:
                b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            case 2 where !b.isEmpty: b.removeLast(Int.random(in: 1...b.count, using: &rng))
            case 3 where !b.isEmpty:
                let i = Int.random(in: 0..<b.count, using: &rng)
                b.insert(contentsOf: b[i..<min(b.count, i + 8)], at: i)
            default:
                b.append(
                    contentsOf: (0..<Int.random(in: 1...16, using: &rng)).map { _ in
                        UInt8.random(in: 0...255, using: &rng)
                    })
            }
        }
        return b
    }

    /// Whatever decodes re-encodes to bytes that decode and re-encode to the same bytes
    /// (compared as bytes: a mutated double may be NaN, which no `==` accepts).
    func stable<M: WireMessage>(_ m: M) -> Bool {
        let once = m.encoded()
        guard let again = try? M(decoding: once) else { return false }
        return again.encoded() == once
    }

    /// An envelope that decodes re-encodes to a frame that decodes to the same envelope bytes.
    func stableEnvelope(_ e: Wire.Envelope) -> Bool {
        let once = e.encodedFrame()
        let again = once.withUnsafeBytes {
            try? Wire.Envelope.decode(UnsafeRawBufferPointer(rebasing: $0.dropFirst(FrameDecoder.headerBytes)))
        }
        return again?.encodedFrame() == once
    }

    /// Decodes `bytes` as the envelope and as every message type of the protocol; whatever
    /// decodes must be a fixed point of encode/decode.
    func exercise(_ bytes: [UInt8]) {
        let envelope = bytes.withUnsafeBytes { try? Wire.Envelope.decode($0) }
        if let envelope { #expect(stableEnvelope(envelope), "envelope from \(bytes)") }
        for type in Wire.messageTypes {
            // Opened outside #expect: the macro cannot pass an existential to a generic function.
            if let m = try? type.init(decoding: bytes) {
                let isStable = stable(m)
                #expect(isStable, "\(type) from \(bytes)")
            }
        }
    }

    @Test func mutatedValidMessages() {
        var rng = SplitMix(state: 20_261_125)
        let seeds = Self.seeds()
        for i in 0..<30_000 {
            exercise(mutate(seeds[i % seeds.count], &rng))
        }
    }

    @Test func randomBytes() {
        var rng = SplitMix(state: 7)
        for _ in 0..<20_000 {
            let n = Int.random(in: 0...64, using: &rng)
            exercise((0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) })
        }
    }

    @Test func frameDecoderOnRandomStreams() {
        var rng = SplitMix(state: 11)
        for _ in 0..<2_000 {
            var decoder = FrameDecoder(maxFrameBytes: 4096)
            let n = Int.random(in: 0...2048, using: &rng)
            decoder.append((0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) })
            var frames = 0
            // Each frame consumes at least its 4-byte prefix, so the loop must end.
            while frames < 1000, (try? decoder.nextFrame({ $0.count })) != nil { frames += 1 }
            #expect(frames < 1000)
        }
    }
}

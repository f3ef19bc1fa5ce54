import CFluxionProto
import Foundation
import Testing

@testable import FluxionWire

@Suite struct EnvelopeCodecTests {
    /// The byte layout documented in docs/PROTOCOL.md (the Health request example).
    @Test func healthRequestBytesMatchTheProtocolDocument() {
        let frame = Wire.Envelope(callID: 1, kind: .request, method: "fluxion.v1.Fluxion/Health").encodedFrame()
        let expected: [UInt8] =
            [0x00, 0x00, 0x00, 0x1f, 0x08, 0x01, 0x10, 0x02, 0x1a, 0x19]
            + Array("fluxion.v1.Fluxion/Health".utf8)
        #expect(frame == expected)
    }

    @Test func unknownStatusAndKindDecodeSafely() throws {
        // call_id=3, kind=42 (unknown), status=99 (unknown)
        let body: [UInt8] = [0x08, 0x03, 0x10, 42, 0x20, 99]
        let e = try body.withUnsafeBytes { try Wire.Envelope.decode($0) }
        // proto3 enums are open: the numbers are kept, so the receiver can say which it got.
        #expect(e.kind == .unrecognized(42))
        #expect(e.status == .unrecognized(99))
        #expect("\(e.kind) \(e.status)" == "42 99")
        #expect(e.callID == 3)
    }

    @Test func serverMessagesRoundTrip() throws {
        let hello = Wire.ServerHello(
            protocolVersion: 1, serverName: "fluxiond", serverVersion: "0.1.0",
            maxFrameBytes: 4_194_304, maxConcurrentCalls: 256, idleTimeoutMs: 300_000)
        #expect(try Wire.ServerHello(decoding: hello.encoded()) == hello)
        let health = Wire.HealthResponse(
            status: .serving, uptimeS: 12.5, connections: 3, openCalls: 7,
            simTimeS: 3600, scenario: "absheron")
        #expect(try Wire.HealthResponse(decoding: health.encoded()) == health)
        let info = Wire.ServerInfo(
            serverName: "fluxiond", serverVersion: "0.1.0", protocolVersion: 1,
            maxFrameBytes: 1024, maxConcurrentCalls: 2, idleTimeoutMs: 5,
            startedWallUnixNs: 1_700_000_000_000_000_000, scenario: "x",
            methods: [
                Wire.MethodInfo(name: "a", kind: .serverStreaming, implemented: true),
                Wire.MethodInfo(name: "b", kind: .unary, implemented: false),
            ])
        #expect(try Wire.ServerInfo(decoding: info.encoded()) == info)
    }

    @Test func malformedPayloadNamesTheMessageType() {
        #expect(throws: DecodeError(messageType: "fluxion.v1.HealthResponse", byteCount: 2)) {
            try Wire.HealthResponse(decoding: [0xFF, 0xFF])
        }
    }

    /// The hand-written method table must list exactly the methods of service.proto, in order.
    @Test func methodTableMatchesTheProtoService() {
        let d = fluxion__v1__fluxion__descriptor
        let names = (0..<Int(d.n_methods)).map { String(cString: d.methods[$0].name) }
        #expect(names == Wire.Fluxion.methods.map(\.name))
        #expect(String(cString: d.name) == Wire.Fluxion.name)
    }

    @Test func prefaceChecks() throws {
        #expect(try Preface.parse(Preface.bytes()) == Preface.protocolVersion)
        #expect(try Preface.parse(Array("FLUXION".utf8) + [7]) == 7)
        #expect(throws: PrefaceError.self) { try Preface.parse(Array("GET / HT".utf8)) }
        #expect(throws: PrefaceError.truncated(count: 3)) { try Preface.parse([1, 2, 3]) }
    }
}

/// docs/PROTOCOL.md's byte examples must be what the encoder produces.
@Suite struct ProtocolDocumentTests {
    /// `<!-- example: NAME -->` followed by a ```hex block, from docs/PROTOCOL.md.
    func examples() throws -> [String: [UInt8]] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("docs/PROTOCOL.md"), encoding: .utf8)
        var out: [String: [UInt8]] = [:]
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (i, line) in lines.enumerated() where line.hasPrefix("<!-- example: ") {
            let name = line.dropFirst("<!-- example: ".count).split(separator: " ")[0]
            let hex = lines[i + 2].split(separator: " ").map { UInt8($0, radix: 16)! }
            out[String(name)] = hex
        }
        return out
    }

    @Test func protocolDocumentExamples() throws {
        let ex = try examples()
        #expect(ex.count == 6)
        #expect(ex["preface"] == Preface.bytes())
        #expect(ex["cancel"] == Wire.Envelope(callID: 3, kind: .cancel).encodedFrame())
        #expect(ex["ping"] == Wire.Envelope(callID: 0, kind: .ping, payload: Array("ping".utf8)).encodedFrame())
        #expect(
            ex["health-request"]
                == Wire.Envelope(callID: 1, kind: .request, method: "fluxion.v1.Fluxion/Health").encodedFrame())
        let health = Wire.HealthResponse(status: .serving, uptimeS: 12.5, connections: 1, openCalls: 1)
        #expect(ex["health-end"] == Wire.Envelope(callID: 1, kind: .end, payload: health.encoded()).encodedFrame())
        #expect(
            ex["unimplemented-end"]
                == Wire.Envelope(
                    callID: 2, kind: .end, status: .unimplemented,
                    statusMessage: "fluxion.v1.Fluxion/InjectLeak is not implemented by this server yet"
                ).encodedFrame())
    }
}

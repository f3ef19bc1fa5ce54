import FluxionClient
import FluxionServer
import FluxionTestSupport
import FluxionWire
import Foundation
import Testing

/// What one request may expand to, and what partial frames may hold, is bounded: requests that
/// once multiplied the server's memory are refused on their own call, and the connection and
/// the server carry on.
@Suite struct WireLimitTests {
    /// Hand-encoded protobuf: field `number` as a length-delimited value.
    static func field(_ number: Int, _ body: [UInt8]) -> [UInt8] {
        var out = varint(UInt64(number << 3 | 2))
        out += varint(UInt64(body.count))
        return out + body
    }

    static func varint(_ value: UInt64) -> [UInt8] {
        var v = value, out: [UInt8] = []
        while v >= 0x80 {
            out.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        return out + [UInt8(v)]
    }

    /// 200,000 empty metadata entries (400 KB on the wire, ~14 MB once decoded, held for the
    /// life of the call) end that call with RESOURCE_EXHAUSTED before anything is decoded.
    @Test func aFloodOfMetadataEntriesEndsItsCall() throws {
        let log = HandlerLog()
        let server = try InProcessServer(configure: { TestHandlers.holdOpen($0, log) })
        defer { server.stop() }
        let client = try RawClient(port: server.port)
        _ = try client.handshake()
        var frame = Self.varint(1 << 3) + Self.varint(7)  // call_id 7
        frame += Self.varint(2 << 3) + Self.varint(UInt64(Wire.FrameKind.request.rawValue))
        frame += Self.field(3, Array(Wire.Fluxion.streamReadings.path.utf8))
        let entry = Self.field(6, [])
        for _ in 0..<200_000 { frame += entry }
        var bytes = [UInt8](repeating: 0, count: 4)
        bytes.withUnsafeMutableBytes { FrameDecoder.writeHeader(frame.count, into: $0) }
        client.send(bytes + frame)
        let end = try client.readUntil { $0.kind == .end }.last!
        #expect(end.callID == 7)
        #expect(end.status == .resourceExhausted)
        #expect(end.statusMessage == "metadata: more than 64 entries")
        #expect(log.opened.withLock { $0 } == 0)
        // The connection goes on.
        client.send(Wire.Envelope(callID: 0, kind: .ping, payload: [1, 2, 3]))
        #expect(try client.readUntil { $0.kind == .pong }.last?.payload == [1, 2, 3])
    }

    /// 32,000 empty detector names in one QueryAlerts (64 KB on the wire) cost ~6 MB decoded.
    @Test func aRepeatedFieldOverItsLimitIsRefusedNamingIt() throws {
        let server = try InProcessServer(configure: { server in
            server.router.unary(Wire.Fluxion.queryAlerts) { (_: Wire.QueryAlertsRequest, _) throws(RPCError) in
                Wire.QueryAlertsResponse(alerts: [], nextPageToken: "", totalCount: 0)
            }
        })
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port)
        defer { conn.close() }
        let names = [UInt8]((0..<32_000).flatMap { _ in Self.field(3, []) })
        let e = #expect(throws: RPCError.self) {
            _ = try conn.unaryRaw(path: Wire.Fluxion.queryAlerts.path, payload: Self.field(1, names))
        }
        #expect(e?.code == .resourceExhausted)
        #expect(e?.message == "fluxion.v1.AlertFilter.detectors: more than 1024 elements")
        // 1024 names are fine.
        let fine = [UInt8]((0..<1024).flatMap { _ in Self.field(3, Array("d".utf8)) })
        _ = try conn.unaryRaw(path: Wire.Fluxion.queryAlerts.path, payload: Self.field(1, fine))
    }

    /// A NUL byte in a string was cut by the C decoder: `threshold\0/../x` read as `threshold`.
    @Test func aStringWithANulByteIsRefused() throws {
        let server = try InProcessServer(configure: { server in
            server.router.unary(Wire.Fluxion.loadDetector) {
                (r: Wire.LoadDetectorRequest, _) throws(RPCError) -> Wire.DetectorResponse in
                throw RPCError(.notFound, "would load \(r.plugin)")
            }
        })
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port)
        defer { conn.close() }
        let e = #expect(throws: RPCError.self) {
            _ = try conn.unaryRaw(
                path: Wire.Fluxion.loadDetector.path, payload: Self.field(1, Array("threshold\0/../x".utf8)))
        }
        #expect(e?.code == .invalidArgument)
        #expect(e?.message == "fluxion.v1.LoadDetectorRequest.plugin: contains a NUL byte")
    }

    /// Partial frames of all connections share one budget: 40 half-sent 4 MiB frames once held
    /// 192 MB. Past the budget the connection that would add to it is refused; one that sends an
    /// ordinary request still gets through, and memory comes back when the others leave.
    @Test func partialFramesShareABudget() throws {
        let server = try InProcessServer(tweak: { $0.maxBufferedFrameBytes = 3 * 1024 * 1024 })
        defer { server.stop() }
        let half = [UInt8](repeating: 0, count: 1024 * 1024)
        var held: [RawClient] = []
        for _ in 0..<2 {
            let c = try RawClient(port: server.port)
            _ = try c.handshake()
            c.send([0x00, 0x20, 0x00, 0x00] + half)  // declares 2 MiB, sends 1 MiB
            held.append(c)
        }
        #expect(try waitFor { server.onLoop { $0.bufferedFrameBytes } >= 2 * 1024 * 1024 + 8 })
        let third = try RawClient(port: server.port)
        _ = try third.handshake()
        third.send([0x00, 0x20, 0x00, 0x00] + half + half)
        let goAway = try third.readUntil { $0.kind == .goaway }.last!
        #expect(goAway.status == .resourceExhausted)
        #expect(goAway.statusMessage.contains("partial frames of all connections would exceed 3145728 bytes"))
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port)
        let health: Wire.HealthResponse = try conn.unary(Wire.Fluxion.health, Wire.HealthRequest())
        #expect(health.status == .serving)
        conn.close()
        held.removeAll()
        #expect(try waitFor { server.onLoop { $0.bufferedFrameBytes } == 0 })
    }

    private func waitFor(_ condition: () throws -> Bool) throws -> Bool {
        for _ in 0..<500 {
            if try condition() { return true }
            usleep(10_000)
        }
        return try condition()
    }
}

import FluxionClient
import FluxionWire
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Requests that once crashed, poisoned or confused the real fluxiond, sent as an outside
/// client would. Each test fails on the server as it was before its fix: the process died, the
/// twin served NaN, a reply broke the frame limit, or a second server shared the data directory.
@Suite struct HardeningTests {
    /// The server still answers Health (it did not crash) and serves finite readings.
    private func expectAlive(_ server: ServerProcess, _ sourceLocation: SourceLocation = #_sourceLocation) throws {
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 20)
        defer { conn.close() }
        let health: Wire.HealthResponse = try conn.unary(Wire.Fluxion.health, Wire.HealthRequest())
        #expect(health.status == .serving, sourceLocation: sourceLocation)
    }

    private func expectStatus(
        _ code: Wire.StatusCode, containing text: String, _ body: () throws -> Void,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            try body()
            Issue.record("expected \(code), the call succeeded", sourceLocation: sourceLocation)
        } catch let error as RPCError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            #expect(error.message.contains(text), "\(error.message)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    /// max_rate_hz of 1e-12 or 5e-324 made 1e9 / rate overflow a UInt64 conversion, which
    /// trapped and killed the process for every client.
    @Test func tinyStreamRatesAreRefusedAndTheServerLives() throws {
        let server = try ServerProcess(["--free-running"])
        defer { server.stop(signal: SIGKILL) }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 20)
        defer { conn.close() }
        for rate in [1e-12, 5e-324, -1, .nan, .infinity, 1e300] {
            var request = Wire.StreamReadingsRequest()
            request.maxRateHz = rate
            expectStatus(.invalidArgument, containing: "max_rate_hz") {
                let stream: ClientStream<Wire.ReadingBatch> = try conn.serverStream(
                    Wire.Fluxion.streamReadings, request)
                _ = try stream.next()
            }
        }
        // The smallest rate accepted streams: one batch, then nothing for a long while.
        var slow = Wire.StreamReadingsRequest()
        slow.maxRateHz = ClientLimitsOnTheWire.minimumRateHz
        let stream: ClientStream<Wire.ReadingBatch> = try conn.serverStream(Wire.Fluxion.streamReadings, slow)
        let first = try stream.next()
        #expect(first?.readings.isEmpty == false)
        stream.cancel()
        try expectAlive(server)
    }

    /// SetClock accepted speed 1e300 (and tiny speeds overflowed the wall-time conversion).
    @Test func clockSpeedsOutsideTheRangeAreRefused() throws {
        let server = try ServerProcess()
        defer { server.stop(signal: SIGKILL) }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 20)
        defer { conn.close() }
        for speed in [1e300, 1e-300, -1, .infinity, .nan] {
            expectStatus(.invalidArgument, containing: "speed") {
                let _: Wire.Clock = try conn.unary(Wire.Fluxion.setClock, Wire.SetClockRequest(speed: speed))
            }
        }
        let clock: Wire.Clock = try conn.unary(Wire.Fluxion.setClock, Wire.SetClockRequest(speed: 1e6))
        #expect(clock.speed == 1e6)
        try expectAlive(server)
    }

    /// An orifice of 10 m² was accepted and turned 188 of 200 readings into NaN or infinity,
    /// for good (ClearLeak did not help).
    @Test func anOrificeLargerThanThePipeIsRefusedAndReadingsStayFinite() throws {
        let server = try ServerProcess(["--free-running"])
        defer { server.stop(signal: SIGKILL) }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 20)
        defer { conn.close() }
        expectStatus(.invalidArgument, containing: "cross-section") {
            let _: Wire.InjectLeakResponse = try conn.unary(
                Wire.Fluxion.injectLeak,
                Wire.InjectLeakRequest(
                    where: .pipe(Wire.PipePosition(pipeID: "T2", positionM: 12_000)), size: .effectiveAreaM2(10)))
        }
        for (field, request) in [
            (
                "start_s",
                Wire.InjectLeakRequest(
                    where: .pipe(Wire.PipePosition(pipeID: "T2", positionM: 100)), size: .sizeFraction(0.02),
                    startSimTimeS: .nan)
            ),
            (
                "ramp_s",
                Wire.InjectLeakRequest(
                    where: .pipe(Wire.PipePosition(pipeID: "T2", positionM: 100)), size: .sizeFraction(0.02),
                    rampS: 1e300)
            ),
        ] {
            expectStatus(.invalidArgument, containing: field) {
                let _: Wire.InjectLeakResponse = try conn.unary(Wire.Fluxion.injectLeak, request)
            }
        }
        let leaks: Wire.ListLeaksResponse = try conn.unary(
            Wire.Fluxion.listLeaks, Wire.ListLeaksRequest(includeCleared: true))
        #expect(leaks.leaks.isEmpty)
        let stream: ClientStream<Wire.ReadingBatch> = try conn.serverStream(
            Wire.Fluxion.streamReadings, Wire.StreamReadingsRequest())
        var values = 0
        while values < 200, let batch = try stream.next() {
            for r in batch.readings where r.valid {
                #expect(r.value.isFinite, "\(r.sensorID) \(r.value)")
                values += 1
            }
        }
        stream.cancel()
        #expect(values >= 200)
    }

    /// UNIMPLEMENTED echoed a 65,536-byte method name: a 65,555-byte reply, over the limit the
    /// protocol promises. Echoed text is cut.
    @Test func echoedTextIsCutSoRepliesStaySmall() throws {
        let server = try ServerProcess(["--max-frame-bytes", "32768"])
        defer { server.stop(signal: SIGKILL) }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 20)
        defer { conn.close() }
        let name = "fluxion.v1.Fluxion/" + String(repeating: "X", count: 30_000)
        expectStatus(.unimplemented, containing: "unknown method") {
            _ = try conn.unaryRaw(path: name, payload: [])
        }
        do { _ = try conn.unaryRaw(path: name, payload: []) } catch {
            #expect(error.message.utf8.count <= Wire.Envelope.maxStatusMessageBytes)
            #expect(error.message.hasSuffix("…\""))
        }
        try expectAlive(server)
    }

    /// Two servers on one --data handed out the same alert ids and overwrote each other.
    @Test func aSecondServerOnTheSameDataDirectoryIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fluxiond-lock-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try ServerProcess(["--data", dir.path])
        defer { first.stop(signal: SIGKILL) }
        #expect(throws: ServerProcessError.self) { _ = try ServerProcess(["--data", dir.path]) }
        let second = Process()
        second.executableURL = URL(fileURLWithPath: Products.path("fluxiond"))
        second.arguments = ["--port", "0", "--data", dir.path]
        let err = Pipe()
        second.standardError = err
        second.standardOutput = Pipe()
        try second.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        second.waitUntilExit()
        #expect(second.terminationStatus == 1)
        #expect(text.contains("is in use by another fluxiond (pid \(first.process.processIdentifier))"), "\(text)")
        #expect(text.split(separator: "\n").count == 1)
        // The lock goes with its owner, however it ends: after kill -9 a new server starts.
        first.stop(signal: SIGKILL)
        let third = try ServerProcess(["--data", dir.path])
        defer { third.stop(signal: SIGKILL) }
        try expectAlive(third)
    }
}

/// The server's documented limits, as a client reads them in docs/PROTOCOL.md.
enum ClientLimitsOnTheWire {
    static let minimumRateHz = 1e-6
}

import FluxionClient
import FluxionScenario
import FluxionServer
import FluxionTestSupport
import FluxionTwin
import FluxionWire
import Foundation
import Testing

/// StreamReadings and the leak RPCs against a real twin on an in-process server (real sockets).
@Suite struct LiveTwinTests {
    static func server(
        _ scenario: String = "absheron", freeRunning: Bool = true, speed: Double = 1,
        backlogBytes: Int = 8 * 1024 * 1024, stallTimeoutMs: Int = 10_000,
        maxFrameBytes: Int = 4 * 1024 * 1024, sendBufferBytes: Int? = nil
    ) throws -> InProcessServer {
        let simulation = try Simulation(scenario: try EmbeddedScenarios.load(scenario), seed: 7)
        nonisolated(unsafe) let sim = simulation
        return try InProcessServer(
            tweak: {
                $0.streamBacklogBytes = backlogBytes
                $0.maxFrameBytes = maxFrameBytes
                $0.socketSendBufferBytes = sendBufferBytes
            },
            configure: { server in
                let twin = TwinService(
                    simulation: sim, speed: speed, freeRunning: freeRunning, server: server,
                    stallTimeoutMs: stallTimeoutMs)
                twin.start()
            })
    }

    @Test func stationFilterKeepsOnlyThatStationsSensors() throws {
        let server = try Self.server()
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        let topology: Wire.Topology = try conn.unary(Wire.Fluxion.getTopology, Wire.GetTopologyRequest())
        let sumSensors = Set(topology.sensors.filter { $0.stationID == "SUM" }.map(\.id))
        #expect(sumSensors.count == 6)
        var request = Wire.StreamReadingsRequest()
        request.stationIDs = ["SUM"]
        request.quantities = [.pressure, .flow]
        let stream = try conn.serverStream(Wire.Fluxion.streamReadings, request, as: Wire.ReadingBatch.self)
        var seen = Set<String>()
        for _ in 0..<40 {
            let batch = try #require(try stream.next())
            for r in batch.readings {
                #expect(sumSensors.contains(r.sensorID), "\(r.sensorID) is not a Sumqayit sensor")
                #expect(r.quantity == .pressure || r.quantity == .flow)
                seen.insert(r.sensorID)
            }
        }
        #expect(seen == ["SUM-PT", "SUM-FT"])
        stream.cancel()
    }

    @Test func unknownFilterValuesAreInvalidArgumentsNamingTheField() throws {
        let server = try Self.server()
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        var request = Wire.StreamReadingsRequest()
        request.sensorIDs = ["SUM-PT", "NOPE"]
        let stream = try conn.serverStream(Wire.Fluxion.streamReadings, request, as: Wire.ReadingBatch.self)
        let e = #expect(throws: RPCError.self) { _ = try stream.next() }
        #expect(e?.code == .invalidArgument)
        #expect(e?.message == "sensor_ids[1]: unknown sensor 'NOPE'")
    }

    @Test func cancelEndsTheStreamWithCancelled() throws {
        let server = try Self.server()
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        let stream = try conn.serverStream(
            Wire.Fluxion.streamReadings, Wire.StreamReadingsRequest(), as: Wire.ReadingBatch.self)
        #expect(try stream.next() != nil)
        stream.cancel()
        let e = #expect(throws: RPCError.self) { while try stream.next() != nil {} }
        #expect(e?.code == .cancelled)
        let health: Wire.HealthResponse = try conn.unary(Wire.Fluxion.health, Wire.HealthRequest())
        #expect(health.openCalls == 1)  // only this Health call
    }

    /// A client that stops reading: the server skips batches for it (every gap in the sequence
    /// is reported in `skipped_batches`) while another client is served normally. Small socket
    /// buffers and a 1-byte backlog limit make the skipping certain after one short pause,
    /// however fast or slow the machine is.
    @Test func slowClientSkipsToTheNewestAndEveryGapIsCounted() throws {
        let server = try Self.server(backlogBytes: 1, sendBufferBytes: 4096)
        defer { server.stop() }
        let slow = try RawClient(port: server.port, receiveBufferBytes: 4096)
        _ = try slow.handshake()
        slow.send(Wire.Envelope(callID: 1, kind: .request, method: Wire.Fluxion.streamReadings.path))
        let fast = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { fast.close() }
        let fastStream = try fast.serverStream(
            Wire.Fluxion.streamReadings, Wire.StreamReadingsRequest(), as: Wire.ReadingBatch.self)
        for _ in 0..<20 { _ = try fastStream.next() }  // the twin is producing, and the fast client is served
        usleep(500_000)  // the slow client takes nothing: its buffers fill and the server skips
        var previous: UInt64?
        var gapSeen = false
        let deadline = Date().addingTimeInterval(20)
        while !gapSeen, Date() < deadline, let frame = try slow.readFrame() {
            #expect(frame.kind == .message)
            let batch = try Wire.ReadingBatch(decoding: frame.payload)
            if let previous {
                #expect(batch.tick - previous - 1 == batch.skippedBatches, "gap before tick \(batch.tick)")
            }
            gapSeen = batch.skippedBatches > 0
            previous = batch.tick
        }
        #expect(gapSeen)
        #expect(try fastStream.next() != nil)
        fastStream.cancel()
    }

    @Test func clientThatTakesNothingIsEndedWithResourceExhausted() throws {
        let server = try Self.server(backlogBytes: 1, stallTimeoutMs: 300, sendBufferBytes: 4096)
        defer { server.stop() }
        let slow = try RawClient(port: server.port, receiveBufferBytes: 4096)
        _ = try slow.handshake()
        slow.send(Wire.Envelope(callID: 1, kind: .request, method: Wire.Fluxion.streamReadings.path))
        // Take nothing until the server has given up (small buffers fill after a few batches,
        // then 300 ms of stall), then read what it queued before the END.
        let health = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        var open = 1
        for _ in 0..<500 where open > 0 {
            usleep(20_000)
            let h: Wire.HealthResponse = try health.unary(Wire.Fluxion.health, Wire.HealthRequest())
            open = Int(h.openCalls) - 1
        }
        health.close()
        #expect(open == 0)
        let frames = try slow.readUntil { $0.kind == .end }
        #expect(frames.last?.status == .resourceExhausted)
        #expect(frames.last?.statusMessage.hasPrefix("client read too slowly: nothing taken for 300 ms") == true)
    }

    @Test func manyClientsStreamAtOnce() throws {
        let server = try Self.server()
        defer { server.stop() }
        let failures = ConcurrentCounter()
        DispatchQueue.concurrentPerform(iterations: 24) { _ in
            do {
                let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
                defer { conn.close() }
                let stream = try conn.serverStream(
                    Wire.Fluxion.streamReadings, Wire.StreamReadingsRequest(), as: Wire.ReadingBatch.self)
                for _ in 0..<20 { if try stream.next() == nil { failures.add() } }
                stream.cancel()
            } catch { failures.add() }
        }
        #expect(failures.value == 0)
    }

    @Test func leakLifecycleOverTheWire() throws {
        let server = try Self.server(freeRunning: false, speed: 10)
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        let injected: Wire.InjectLeakResponse = try conn.unary(
            Wire.Fluxion.injectLeak,
            Wire.InjectLeakRequest(
                where: .line(Wire.LineChainage(lineID: "trunk", chainageM: 30_000)), size: .sizeFraction(0.03), rampS: 5
            ))
        let leak = try #require(injected.leak)
        #expect(leak.pipeID == "T2")
        #expect(abs(leak.positionM - 19_750) <= 250)  // snapped to the 250 m grid
        #expect(leak.sizeFraction == 0.03)
        #expect(leak.createdWallUnixNs > 0)
        #expect(leak.source == "api")
        let list: Wire.ListLeaksResponse = try conn.unary(Wire.Fluxion.listLeaks, Wire.ListLeaksRequest())
        #expect(list.leaks.map(\.leakID) == [leak.leakID])
        let cleared: Wire.ClearLeakResponse = try conn.unary(
            Wire.Fluxion.clearLeak, Wire.ClearLeakRequest(leakID: leak.leakID))
        #expect(cleared.leak?.state == .cleared)
        let open: Wire.ListLeaksResponse = try conn.unary(Wire.Fluxion.listLeaks, Wire.ListLeaksRequest())
        #expect(open.leaks.isEmpty)
        let all: Wire.ListLeaksResponse = try conn.unary(
            Wire.Fluxion.listLeaks, Wire.ListLeaksRequest(includeCleared: true))
        #expect(all.leaks.count == 1)
    }

    @Test func invalidLeakRequestsNameTheField() throws {
        let server = try Self.server(freeRunning: false)
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        let cases: [(Wire.InjectLeakRequest, String)] = [
            (Wire.InjectLeakRequest(size: .sizeFraction(0.01)), "where: set pipe"),
            (
                // The coefficient changed nothing (the size is Cd·A already): refused, not ignored.
                Wire.InjectLeakRequest(
                    where: .pipe(Wire.PipePosition(pipeID: "T1", positionM: 10)), size: .sizeFraction(0.01),
                    dischargeCoefficient: 0.6),
                "discharge_coefficient: not used (deprecated), got 0.6"
            ),
            (
                Wire.InjectLeakRequest(where: .pipe(Wire.PipePosition(pipeID: "T1", positionM: 10))),
                "size: set size_fraction"
            ),
            (
                Wire.InjectLeakRequest(
                    where: .pipe(Wire.PipePosition(pipeID: "T1", positionM: 10)), size: .sizeFraction(1.5)),
                "size_fraction: must be in (0, 1], got 1.5"
            ),
            (
                Wire.InjectLeakRequest(
                    where: .pipe(Wire.PipePosition(pipeID: "T9", positionM: 10)), size: .sizeFraction(0.01)),
                "pipe.pipe_id: unknown pipe 'T9'"
            ),
            (
                Wire.InjectLeakRequest(
                    where: .pipe(Wire.PipePosition(pipeID: "T1", positionM: 20_000)), size: .sizeFraction(0.01)),
                "pipe.position_m: 20000.0 m is outside pipe 'T1'"
            ),
            (
                Wire.InjectLeakRequest(
                    where: .line(Wire.LineChainage(lineID: "trunk", chainageM: 1e6)), size: .sizeFraction(0.01)),
                "line.chainage_m:"
            ),
            (
                Wire.InjectLeakRequest(
                    where: .pipe(Wire.PipePosition(pipeID: "T1", positionM: 10)), size: .effectiveAreaM2(-1)),
                "effective_area_m2: must be positive"
            ),
            (
                Wire.InjectLeakRequest(
                    where: .pipe(Wire.PipePosition(pipeID: "T1", positionM: 10)), size: .sizeFraction(0.01), rampS: -3),
                "ramp_s: must be ≥ 0 s"
            ),
        ]
        for (request, prefix) in cases {
            let e = #expect(throws: RPCError.self) {
                let _: Wire.InjectLeakResponse = try conn.unary(Wire.Fluxion.injectLeak, request)
            }
            #expect(e?.code == .invalidArgument)
            #expect(e?.message.hasPrefix(prefix) == true, "\(e?.message ?? "") should start with \(prefix)")
        }
        let e = #expect(throws: RPCError.self) {
            let _: Wire.ClearLeakResponse = try conn.unary(Wire.Fluxion.clearLeak, Wire.ClearLeakRequest(leakID: "L42"))
        }
        #expect(e?.code == .notFound)
    }

    @Test func clockCanBePausedAndSpedUp() throws {
        let server = try Self.server(freeRunning: false, speed: 1)
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        let paused: Wire.Clock = try conn.unary(Wire.Fluxion.setClock, Wire.SetClockRequest(paused: true))
        #expect(paused.paused)
        usleep(200_000)
        let still: Wire.Clock = try conn.unary(Wire.Fluxion.getClock, Wire.GetClockRequest())
        #expect(still.simTimeS == paused.simTimeS)
        let fast: Wire.Clock = try conn.unary(Wire.Fluxion.setClock, Wire.SetClockRequest(speed: 1000))
        #expect(fast.speed == 1000 && !fast.paused)
        let e = #expect(throws: RPCError.self) {
            let _: Wire.Clock = try conn.unary(Wire.Fluxion.setClock, Wire.SetClockRequest(speed: -1))
        }
        #expect(e?.code == .invalidArgument)
    }

    /// The server never sends a frame over the limit it announced: the call fails instead.
    @Test func responseLargerThanTheFrameLimitEndsTheCall() throws {
        let server = try Self.server(maxFrameBytes: 2048)
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        #expect(conn.serverHello.maxFrameBytes == 2048)
        let e = #expect(throws: RPCError.self) {
            let _: Wire.Topology = try conn.unary(Wire.Fluxion.getTopology, Wire.GetTopologyRequest())
        }
        #expect(e?.code == .resourceExhausted)
        #expect(e?.message.hasSuffix("does not fit the 2048-byte frame limit") == true)
        let h: Wire.HealthResponse = try conn.unary(Wire.Fluxion.health, Wire.HealthRequest())
        #expect(h.status == .serving)
    }

    @Test func sensorFaultsShowInTheStream() throws {
        let server = try Self.server()
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        let _: Wire.SetSensorFaultResponse = try conn.unary(
            Wire.Fluxion.setSensorFault,
            Wire.SetSensorFaultRequest(sensorID: "SUM-PT", fault: .dropout))
        var request = Wire.StreamReadingsRequest()
        request.sensorIDs = ["SUM-PT"]
        let stream = try conn.serverStream(Wire.Fluxion.streamReadings, request, as: Wire.ReadingBatch.self)
        for _ in 0..<5 {
            let batch = try #require(try stream.next())
            #expect(batch.readings.allSatisfy { !$0.valid })
        }
        stream.cancel()
        let e = #expect(throws: RPCError.self) {
            let _: Wire.SetSensorFaultResponse = try conn.unary(
                Wire.Fluxion.setSensorFault,
                Wire.SetSensorFaultRequest(sensorID: "NOPE", fault: .freeze))
        }
        #expect(e?.code == .notFound)
        let unknown = #expect(throws: RPCError.self) {
            let _: Wire.SetSensorFaultResponse = try conn.unary(
                Wire.Fluxion.setSensorFault,
                Wire.SetSensorFaultRequest(sensorID: "SUM-PT", fault: .unrecognized(9)))
        }
        #expect(unknown?.code == .invalidArgument)
        #expect(unknown?.message == "fault: unknown sensor fault 9")
    }
}

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
        let topology: FluxionWire.Topology = try conn.unary(FluxionService.getTopology, GetTopologyRequest())
        let sumSensors = Set(topology.sensors.filter { $0.stationID == "SUM" }.map(\.id))
        #expect(sumSensors.count == 6)
        var request = StreamReadingsRequest()
        request.stationIDs = ["SUM"]
        request.quantities = [.pressure, .flow]
        let stream = try conn.serverStream(FluxionService.streamReadings, request, as: ReadingBatch.self)
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
        var request = StreamReadingsRequest()
        request.sensorIDs = ["SUM-PT", "NOPE"]
        let stream = try conn.serverStream(FluxionService.streamReadings, request, as: ReadingBatch.self)
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
            FluxionService.streamReadings, StreamReadingsRequest(), as: ReadingBatch.self)
        #expect(try stream.next() != nil)
        stream.cancel()
        let e = #expect(throws: RPCError.self) { while try stream.next() != nil {} }
        #expect(e?.code == .cancelled)
        let health: HealthResponse = try conn.unary(FluxionService.health, HealthRequest())
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
        slow.send(Envelope(callID: 1, kind: .request, method: FluxionService.streamReadings.path))
        let fast = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { fast.close() }
        let fastStream = try fast.serverStream(
            FluxionService.streamReadings, StreamReadingsRequest(), as: ReadingBatch.self)
        for _ in 0..<20 { _ = try fastStream.next() }  // the twin is producing, and the fast client is served
        usleep(500_000)  // the slow client takes nothing: its buffers fill and the server skips
        var previous: UInt64?
        var gapSeen = false
        let deadline = Date().addingTimeInterval(20)
        while !gapSeen, Date() < deadline, let frame = try slow.readFrame() {
            #expect(frame.kind == .message)
            let batch = try ReadingBatch(decoding: frame.payload)
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
        slow.send(Envelope(callID: 1, kind: .request, method: FluxionService.streamReadings.path))
        // Take nothing until the server has given up (small buffers fill after a few batches,
        // then 300 ms of stall), then read what it queued before the END.
        let health = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        var open = 1
        for _ in 0..<500 where open > 0 {
            usleep(20_000)
            let h: HealthResponse = try health.unary(FluxionService.health, HealthRequest())
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
                    FluxionService.streamReadings, StreamReadingsRequest(), as: ReadingBatch.self)
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
        let injected: InjectLeakResponse = try conn.unary(
            FluxionService.injectLeak,
            InjectLeakRequest(
                location: .line(id: "trunk", chainageM: 30_000), size: .fractionOfFlow(0.03), rampS: 5))
        #expect(injected.leak.pipeID == "T2")
        #expect(abs(injected.leak.positionM - 19_750) <= 250)  // snapped to the 250 m grid
        #expect(injected.leak.sizeFraction == 0.03)
        #expect(injected.leak.createdWallUnixNs > 0)
        #expect(injected.leak.source == "api")
        let list: ListLeaksResponse = try conn.unary(FluxionService.listLeaks, ListLeaksRequest())
        #expect(list.leaks.map(\.leakID) == [injected.leak.leakID])
        let cleared: ClearLeakResponse = try conn.unary(
            FluxionService.clearLeak, ClearLeakRequest(leakID: injected.leak.leakID))
        #expect(cleared.leak.state == .cleared)
        let open: ListLeaksResponse = try conn.unary(FluxionService.listLeaks, ListLeaksRequest())
        #expect(open.leaks.isEmpty)
        let all: ListLeaksResponse = try conn.unary(FluxionService.listLeaks, ListLeaksRequest(includeCleared: true))
        #expect(all.leaks.count == 1)
    }

    @Test func invalidLeakRequestsNameTheField() throws {
        let server = try Self.server(freeRunning: false)
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        let cases: [(InjectLeakRequest, String)] = [
            (InjectLeakRequest(size: .fractionOfFlow(0.01)), "where: set pipe"),
            (InjectLeakRequest(location: .pipe(id: "T1", positionM: 10)), "size: set size_fraction"),
            (
                InjectLeakRequest(location: .pipe(id: "T1", positionM: 10), size: .fractionOfFlow(1.5)),
                "size_fraction: must be in (0, 1], got 1.5"
            ),
            (
                InjectLeakRequest(location: .pipe(id: "T9", positionM: 10), size: .fractionOfFlow(0.01)),
                "pipe.pipe_id: unknown pipe 'T9'"
            ),
            (
                InjectLeakRequest(location: .pipe(id: "T1", positionM: 20_000), size: .fractionOfFlow(0.01)),
                "pipe.position_m: 20000.0 m is outside pipe 'T1'"
            ),
            (
                InjectLeakRequest(location: .line(id: "trunk", chainageM: 1e6), size: .fractionOfFlow(0.01)),
                "line.chainage_m:"
            ),
            (
                InjectLeakRequest(location: .pipe(id: "T1", positionM: 10), size: .effectiveAreaM2(-1)),
                "effective_area_m2: must be positive"
            ),
            (
                InjectLeakRequest(location: .pipe(id: "T1", positionM: 10), size: .fractionOfFlow(0.01), rampS: -3),
                "ramp_s: must be ≥ 0 s"
            ),
        ]
        for (request, prefix) in cases {
            let e = #expect(throws: RPCError.self) {
                let _: InjectLeakResponse = try conn.unary(FluxionService.injectLeak, request)
            }
            #expect(e?.code == .invalidArgument)
            #expect(e?.message.hasPrefix(prefix) == true, "\(e?.message ?? "") should start with \(prefix)")
        }
        let e = #expect(throws: RPCError.self) {
            let _: ClearLeakResponse = try conn.unary(FluxionService.clearLeak, ClearLeakRequest(leakID: "L42"))
        }
        #expect(e?.code == .notFound)
    }

    @Test func clockCanBePausedAndSpedUp() throws {
        let server = try Self.server(freeRunning: false, speed: 1)
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        let paused: FluxionWire.Clock = try conn.unary(FluxionService.setClock, SetClockRequest(paused: true))
        #expect(paused.paused)
        usleep(200_000)
        let still: FluxionWire.Clock = try conn.unary(FluxionService.getClock, GetClockRequest())
        #expect(still.simTimeS == paused.simTimeS)
        let fast: FluxionWire.Clock = try conn.unary(FluxionService.setClock, SetClockRequest(speed: 1000))
        #expect(fast.speed == 1000 && !fast.paused)
        let e = #expect(throws: RPCError.self) {
            let _: FluxionWire.Clock = try conn.unary(FluxionService.setClock, SetClockRequest(speed: -1))
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
            let _: FluxionWire.Topology = try conn.unary(FluxionService.getTopology, GetTopologyRequest())
        }
        #expect(e?.code == .resourceExhausted)
        #expect(e?.message.hasSuffix("does not fit the 2048-byte frame limit") == true)
        let h: HealthResponse = try conn.unary(FluxionService.health, HealthRequest())
        #expect(h.status == .serving)
    }

    @Test func sensorFaultsShowInTheStream() throws {
        let server = try Self.server()
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        let _: SetSensorFaultResponse = try conn.unary(
            FluxionService.setSensorFault,
            SetSensorFaultRequest(sensorID: "SUM-PT", fault: .dropout))
        var request = StreamReadingsRequest()
        request.sensorIDs = ["SUM-PT"]
        let stream = try conn.serverStream(FluxionService.streamReadings, request, as: ReadingBatch.self)
        for _ in 0..<5 {
            let batch = try #require(try stream.next())
            #expect(batch.readings.allSatisfy { !$0.valid })
        }
        stream.cancel()
        let e = #expect(throws: RPCError.self) {
            let _: SetSensorFaultResponse = try conn.unary(
                FluxionService.setSensorFault,
                SetSensorFaultRequest(sensorID: "NOPE", fault: .freeze))
        }
        #expect(e?.code == .notFound)
    }
}

import Testing

@testable import FluxionWire

/// Every twin message survives encode → decode unchanged (protobuf-c on both sides; the
/// byte-level layout is checked against the protocol document elsewhere).
@Suite struct TwinMessageCodecTests {
    @Test func readingBatchRoundTrip() throws {
        let batch = ReadingBatch(
            tick: 42, simTimeS: 12.5, wallTimeUnixNs: 1_700_000_000_123_456_789,
            readings: [
                Reading(
                    sensorID: "P-MARDAKAN", quantity: .pressure, value: 485_000.25, unit: "Pa", simTimeS: 12.5,
                    wallTimeUnixNs: 1_700_000_000_123_456_789),
                Reading(
                    sensorID: "F-TURKAN", quantity: .flow, value: -3.5, unit: "Sm3/h", simTimeS: 12.4,
                    wallTimeUnixNs: 1, valid: false),
            ], skippedBatches: 3)
        #expect(try ReadingBatch(decoding: batch.encoded()) == batch)
    }

    @Test func streamRequestRoundTrip() throws {
        var r = StreamReadingsRequest()
        r.sensorIDs = ["a", "b"]
        r.pipeIDs = ["P1"]
        r.stationIDs = ["sumqayit"]
        r.quantities = [.pressure, .totalizedFlow]
        r.maxRateHz = 2.5
        r.decimation = 10
        #expect(try StreamReadingsRequest(decoding: r.encoded()) == r)
        #expect(try StreamReadingsRequest(decoding: StreamReadingsRequest().encoded()) == StreamReadingsRequest())
    }

    @Test func injectLeakOneofsRoundTrip() throws {
        let cases: [InjectLeakRequest] = [
            InjectLeakRequest(location: .pipe(id: "P3", positionM: 1200), size: .fractionOfFlow(0.02)),
            InjectLeakRequest(
                location: .line(id: "main", chainageM: 5000), size: .effectiveAreaM2(1e-4),
                startSimTimeS: 0, rampS: 30, dischargeCoefficient: 0.6),
            InjectLeakRequest(),
        ]
        for c in cases { #expect(try InjectLeakRequest(decoding: c.encoded()) == c) }
    }

    @Test func leaksAndClockRoundTrip() throws {
        var leak = Leak()
        leak.leakID = "L1"
        leak.pipeID = "P3"
        leak.positionM = 1200
        leak.state = .active
        leak.currentFlow = 0.004
        leak.source = "api"
        #expect(try InjectLeakResponse(decoding: InjectLeakResponse(leak: leak).encoded()).leak == leak)
        #expect(
            try ListLeaksResponse(decoding: ListLeaksResponse(leaks: [leak, Leak()]).encoded()).leaks == [leak, Leak()])
        #expect(try ClearLeakRequest(decoding: ClearLeakRequest(leakID: "L1").encoded()).leakID == "L1")
        #expect(try ListLeaksRequest(decoding: ListLeaksRequest(includeCleared: true).encoded()).includeCleared)
        let clock = Clock(simTimeS: 86400, speed: 10, paused: false, freeRunning: true, tick: 9, timeStepS: 0.01)
        #expect(try Clock(decoding: clock.encoded()) == clock)
        let set = SetClockRequest(speed: 2, paused: true, freeRunning: false)
        #expect(try SetClockRequest(decoding: set.encoded()) == set)
        let fault = SetSensorFaultRequest(sensorID: "P1", fault: .freeze)
        #expect(try SetSensorFaultRequest(decoding: fault.encoded()) == fault)
    }

    @Test func topologyRoundTrip() throws {
        let t = Topology(
            scenario: "absheron", fluid: "natural_gas",
            nodes: [
                TopologyNode(
                    id: "N1", kind: "source", location: Point(xM: 1, yM: 2), elevationM: 3, stationID: "mardakan")
            ],
            pipes: [
                TopologyPipe(
                    id: "P1", fromNode: "N1", toNode: "N2", lengthM: 1000, diameterM: 0.5, waveSpeedMPerS: 400,
                    lineID: "main", chainageStartM: 0, geometry: [Point(xM: 0, yM: 0), Point(xM: 1000, yM: 5)],
                    nominalFlow: 12500)
            ],
            stations: [TopologyStation(id: "mardakan", name: "Mardakan", nodeID: "N1", location: Point(xM: 1, yM: 2))],
            sensors: [
                TopologySensor(
                    id: "P-1", quantity: .pressure, unit: "Pa", pipeID: "P1", positionM: 10, sampleRateHz: 10)
            ],
            lines: [TopologyLine(id: "main", pipeIDs: ["P1", "P2"], lengthM: 2000)])
        #expect(try Topology(decoding: t.encoded()) == t)
    }

    @Test func quantityNames() {
        #expect(Quantity(name: "differential_pressure") == .differentialPressure)
        #expect(Quantity(name: "unspecified") == nil)
        #expect(Quantity(name: "nonsense") == nil)
    }
}

import Testing

@testable import FluxionWire

/// Every twin message survives encode → decode unchanged (protobuf-c on both sides; the
/// byte-level layout is checked against the protocol document elsewhere).
@Suite struct TwinMessageCodecTests {
    @Test func readingBatchRoundTrip() throws {
        let batch = Wire.ReadingBatch(
            tick: 42, simTimeS: 12.5, wallTimeUnixNs: 1_700_000_000_123_456_789,
            readings: [
                Wire.Reading(
                    sensorID: "P-MARDAKAN", quantity: .pressure, value: 485_000.25, unit: "Pa", simTimeS: 12.5,
                    wallTimeUnixNs: 1_700_000_000_123_456_789),
                Wire.Reading(
                    sensorID: "F-TURKAN", quantity: .flow, value: -3.5, unit: "Sm3/h", simTimeS: 12.4,
                    wallTimeUnixNs: 1, valid: false),
            ], skippedBatches: 3)
        #expect(try Wire.ReadingBatch(decoding: batch.encoded()) == batch)
    }

    @Test func streamRequestRoundTrip() throws {
        var r = Wire.StreamReadingsRequest()
        r.sensorIDs = ["a", "b"]
        r.pipeIDs = ["P1"]
        r.stationIDs = ["sumqayit"]
        r.quantities = [.pressure, .totalizedFlow]
        r.maxRateHz = 2.5
        r.decimation = 10
        #expect(try Wire.StreamReadingsRequest(decoding: r.encoded()) == r)
        #expect(
            try Wire.StreamReadingsRequest(decoding: Wire.StreamReadingsRequest().encoded())
                == Wire.StreamReadingsRequest())
    }

    @Test func injectLeakOneofsRoundTrip() throws {
        let cases: [Wire.InjectLeakRequest] = [
            Wire.InjectLeakRequest(
                where: .pipe(Wire.PipePosition(pipeID: "P3", positionM: 1200)), size: .sizeFraction(0.02)),
            Wire.InjectLeakRequest(
                where: .line(Wire.LineChainage(lineID: "main", chainageM: 5000)), size: .effectiveAreaM2(1e-4),
                startSimTimeS: 0, rampS: 30, dischargeCoefficient: 0.6),
            Wire.InjectLeakRequest(),
        ]
        for c in cases { #expect(try Wire.InjectLeakRequest(decoding: c.encoded()) == c) }
    }

    @Test func leaksAndClockRoundTrip() throws {
        var leak = Wire.Leak()
        leak.leakID = "L1"
        leak.pipeID = "P3"
        leak.positionM = 1200
        leak.state = .active
        leak.currentFlow = 0.004
        leak.source = "api"
        #expect(try Wire.InjectLeakResponse(decoding: Wire.InjectLeakResponse(leak: leak).encoded()).leak == leak)
        #expect(
            try Wire.ListLeaksResponse(decoding: Wire.ListLeaksResponse(leaks: [leak, Wire.Leak()]).encoded()).leaks
                == [leak, Wire.Leak()])
        #expect(try Wire.ClearLeakRequest(decoding: Wire.ClearLeakRequest(leakID: "L1").encoded()).leakID == "L1")
        #expect(
            try Wire.ListLeaksRequest(decoding: Wire.ListLeaksRequest(includeCleared: true).encoded()).includeCleared)
        let clock = Wire.Clock(simTimeS: 86400, speed: 10, paused: false, freeRunning: true, tick: 9, timeStepS: 0.01)
        #expect(try Wire.Clock(decoding: clock.encoded()) == clock)
        let set = Wire.SetClockRequest(speed: 2, paused: true, freeRunning: false)
        #expect(try Wire.SetClockRequest(decoding: set.encoded()) == set)
        let fault = Wire.SetSensorFaultRequest(sensorID: "P1", fault: .freeze)
        #expect(try Wire.SetSensorFaultRequest(decoding: fault.encoded()) == fault)
    }

    @Test func topologyRoundTrip() throws {
        let t = Wire.Topology(
            scenario: "absheron", fluid: "natural_gas",
            nodes: [
                Wire.TopologyNode(
                    id: "N1", kind: "source", location: Wire.Point(xM: 1, yM: 2), elevationM: 3, stationID: "mardakan")
            ],
            pipes: [
                Wire.TopologyPipe(
                    id: "P1", fromNode: "N1", toNode: "N2", lengthM: 1000, diameterM: 0.5, waveSpeedMPerS: 400,
                    lineID: "main", chainageStartM: 0,
                    geometry: [Wire.Point(xM: 0, yM: 0), Wire.Point(xM: 1000, yM: 5)],
                    nominalFlow: 12500)
            ],
            stations: [
                Wire.TopologyStation(id: "mardakan", name: "Mardakan", nodeID: "N1", location: Wire.Point(xM: 1, yM: 2))
            ],
            sensors: [
                Wire.TopologySensor(
                    id: "P-1", quantity: .pressure, unit: "Pa", pipeID: "P1", positionM: 10, sampleRateHz: 10)
            ],
            lines: [Wire.TopologyLine(id: "main", pipeIDs: ["P1", "P2"], lengthM: 2000)])
        #expect(try Wire.Topology(decoding: t.encoded()) == t)
    }

    @Test func quantityNames() {
        #expect(Wire.Quantity(name: "differential_pressure") == .differentialPressure)
        #expect(Wire.Quantity(name: "unspecified") == .unspecified)
        #expect(Wire.Quantity(name: "nonsense") == nil)
        #expect(Wire.Quantity(rawValue: 42) == .unrecognized(42))
        #expect(Wire.Quantity.unrecognized(42).name == "42")
    }
}

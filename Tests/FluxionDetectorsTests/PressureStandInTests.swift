import FluxionDetectorKit
import Testing

/// `PressureStandIn` on hand-worked values: three transmitters on a 3 km liquid line at
/// chainage 0, 1000 and 3000 m.
@Suite struct PressureStandInTests {
    static let network = NetworkDescription(
        scenario: "unit", isGas: false, timeStepS: 0.1,
        sensors: [
            SensorDescription(id: "A", quantity: "pressure", unit: "Pa", pipeID: "P", positionM: 0, sampleRateHz: 1),
            SensorDescription(id: "B", quantity: "pressure", unit: "Pa", pipeID: "P", positionM: 1000, sampleRateHz: 1),
            SensorDescription(id: "C", quantity: "pressure", unit: "Pa", nodeID: "Z", sampleRateHz: 1),
        ],
        pipes: [
            PipeDescription(
                id: "P", fromNode: "Y", toNode: "Z", lengthM: 3000, diameterM: 0.3, waveSpeedMPerS: 1000,
                lineID: "L", chainageStartM: 0, nominalFlow: 0.1)
        ],
        stations: [], lines: ["L": ["P"]])

    @Test func coordinatesOfPipeAndNodeSensors() {
        #expect(Self.network.lineCoordinates(ofSensors: ["A", "B", "C", "nope"]) == [0, 1000, 3000, nil])
    }

    @Test func aTransmitterThatReportedKeepsItsOffsetFromTheInterpolation() throws {
        var s = PressureStandIn(ids: ["A", "B", "C"], network: Self.network)
        // B reads 50 above the line between A and C (900 + (600 − 900)/3 = 800).
        #expect(s.fill([900, 850, 600], atS: 0) == [900, 850, 600])
        // B fails; A and C fall by 30: B stands at 770 + 50.
        #expect(s.fill([870, nil, 570], atS: 1) == [870, 820, 570])
        // With only A left, B stands at A's value plus B's offset (learned against the
        // interpolation: an approximation once more than one transmitter is out).
        #expect(s.fill([870, nil, nil], atS: 2)[1] == 920)
        // The offset follows the readings with weight (time since the last update) / 600 s;
        // while every transmitter reports, it is updated every 10 s only.
        var t = PressureStandIn(ids: ["A", "B", "C"], network: Self.network)
        _ = t.fill([900, 850, 600], atS: 0)
        _ = t.fill([900, 1000, 600], atS: 5)  // within 10 s: not an update
        _ = t.fill([900, 860, 600], atS: 60)  // offset 50 + (60 − 50)·0.1 = 51
        let stood = t.fill([900, nil, 600], atS: 61)[1]
        let filled = try #require(stood)
        #expect(abs(filled - 851) < 1e-9)
    }

    @Test func aTransmitterThatNeverReportedTakesItsOffsetFromTypicalLevels() {
        var s = PressureStandIn(ids: ["A", "B", "C"], network: Self.network)
        #expect(s.fill([900, nil, 600], atS: 0) == [900, 800, 600])  // no typical levels: the line
        var t = PressureStandIn(ids: ["A", "B", "C"], network: Self.network)
        t.typical = [1000, 950, 700]  // B typically 50 above the line (1000 + (700 − 1000)/3 = 900)
        #expect(t.fill([900, nil, 600], atS: 0) == [900, 850, 600])
        // Nobody reports: nothing to stand in with.
        #expect(t.fill([nil, nil, nil], atS: 1) == [nil, nil, nil])
    }

    /// Two lines laid end to end on the coordinate: a transmitter is stood in for by
    /// transmitters of its own line only; with none reporting there it stays missing, and the
    /// others are still given.
    @Test func neighboursAreTakenOnTheSameLineOnly() {
        var network = Self.network
        network.pipes.append(
            PipeDescription(
                id: "Q", fromNode: "Z", toNode: "W", lengthM: 2000, diameterM: 0.3, waveSpeedMPerS: 1000,
                lineID: "M", chainageStartM: 0, nominalFlow: 0.1))
        network.lines["M"] = ["Q"]
        network.sensors.append(
            SensorDescription(id: "D", quantity: "pressure", unit: "Pa", pipeID: "Q", positionM: 1000, sampleRateHz: 1))
        #expect(network.lineCoordinates(ofSensors: ["A", "D"]) == [0, 4000])
        var s = PressureStandIn(ids: ["A", "B", "D"], network: network)
        // D (line M) missing: A and B are on line L, so D has no neighbour; B still reads.
        #expect(s.fill([900, 850, nil], atS: 0) == [900, 850, nil])
        // B missing: A (same line) stands in, with B's offset from it (−50); were D (line M)
        // used, B would be interpolated between A and D: 700 − 50.
        #expect(s.fill([900, nil, 100], atS: 1) == [900, 850, 100])
    }
}

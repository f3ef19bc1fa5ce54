import FluxionWire
import Testing

@Suite struct AlertMessageCodecTests {
    static func alert() -> Wire.Alert {
        var a = Wire.Alert()
        a.alertID = "ALR-7"
        a.detector = "threshold"
        a.state = .cleared
        a.raisedSimTimeS = 1234.5
        a.raisedWallUnixNs = 1_700_000_000_123_456_789
        a.clearedSimTimeS = 1300.25
        a.clearedWallUnixNs = 1_700_000_066_000_000_000
        a.probability = 0.93
        a.severity = .high
        a.pipeID = "P-MS"
        a.positionM = 12_345.6
        a.stationID = "SUM"
        a.segmentID = "L1"
        a.estimatedSizeFraction = 0.042
        a.matchedLeakID = "LK-3"
        return a
    }

    @Test func queryRequestWithEveryFilterFieldRoundTrips() throws {
        var f = Wire.AlertFilter()
        f.simTime = Wire.SimTimeRange(startS: 10, endS: 20.5)
        f.wallTime = Wire.WallTimeRange(startUnixNs: 5, endUnixNs: 6)
        f.detectors = ["threshold", "lof"]
        f.stationIDs = ["SUM"]
        f.pipeIDs = ["P1", "P2"]
        f.state = .raised
        f.minProbability = 0.85
        f.minSeverity = .medium
        let request = Wire.QueryAlertsRequest(filter: f, pageSize: 50, pageToken: "abc")
        #expect(try Wire.QueryAlertsRequest(decoding: request.encoded()) == request)
        // An absent filter decodes as absent (the server reads it as the empty filter); an empty
        // one is sent as an empty submessage and decodes as the empty filter.
        #expect(try Wire.QueryAlertsRequest(decoding: Wire.QueryAlertsRequest().encoded()).filter == nil)
        let empty = Wire.QueryAlertsRequest(filter: Wire.AlertFilter())
        #expect(try Wire.QueryAlertsRequest(decoding: empty.encoded()).filter == Wire.AlertFilter())
    }

    @Test func responsesAndEventsRoundTrip() throws {
        let response = Wire.QueryAlertsResponse(
            alerts: [Self.alert(), Wire.Alert()], nextPageToken: "n", totalCount: 99)
        #expect(try Wire.QueryAlertsResponse(decoding: response.encoded()) == response)
        let event = Wire.AlertEvent(alert: Self.alert())
        #expect(try Wire.AlertEvent(decoding: event.encoded()) == event)
        let aggregate = Wire.AggregateAlertsResponse(buckets: [
            Wire.AlertBucket(key: "07", count: 3, meanProbability: 0.9, maxProbability: 0.99)
        ])
        #expect(try Wire.AggregateAlertsResponse(decoding: aggregate.encoded()) == aggregate)
        let request = Wire.AggregateAlertsRequest(groupBy: .hourOfDay)
        #expect(try Wire.AggregateAlertsRequest(decoding: request.encoded()) == request)
        var stream = Wire.StreamAlertsRequest()
        stream.filter = Wire.AlertFilter(detectors: ["pinn"])
        #expect(try Wire.StreamAlertsRequest(decoding: stream.encoded()) == stream)
    }

    @Test func garbageIsADecodeErrorNamingTheType() {
        #expect(throws: DecodeError(messageType: "fluxion.v1.QueryAlertsRequest", byteCount: 3)) {
            try Wire.QueryAlertsRequest(decoding: [0xFF, 0xFF, 0xFF])
        }
    }
}

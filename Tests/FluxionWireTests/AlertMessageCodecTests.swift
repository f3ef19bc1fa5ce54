import FluxionWire
import Testing

@Suite struct AlertMessageCodecTests {
    static func alert() -> Alert {
        var a = Alert()
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
        var f = AlertFilter()
        f.simTime = SimTimeRange(startS: 10, endS: 20.5)
        f.wallTime = WallTimeRange(startUnixNs: 5, endUnixNs: 6)
        f.detectors = ["threshold", "lof"]
        f.stationIDs = ["SUM"]
        f.pipeIDs = ["P1", "P2"]
        f.state = .raised
        f.minProbability = 0.85
        f.minSeverity = .medium
        let request = QueryAlertsRequest(filter: f, pageSize: 50, pageToken: "abc")
        #expect(try QueryAlertsRequest(decoding: request.encoded()) == request)
        // An absent filter decodes as the empty filter (no time ranges).
        #expect(try QueryAlertsRequest(decoding: QueryAlertsRequest().encoded()).filter == AlertFilter())
    }

    @Test func responsesAndEventsRoundTrip() throws {
        let response = QueryAlertsResponse(alerts: [Self.alert(), Alert()], nextPageToken: "n", totalCount: 99)
        #expect(try QueryAlertsResponse(decoding: response.encoded()) == response)
        let event = AlertEvent(alert: Self.alert())
        #expect(try AlertEvent(decoding: event.encoded()) == event)
        let aggregate = AggregateAlertsResponse(buckets: [
            AlertBucket(key: "07", count: 3, meanProbability: 0.9, maxProbability: 0.99)
        ])
        #expect(try AggregateAlertsResponse(decoding: aggregate.encoded()) == aggregate)
        let request = AggregateAlertsRequest(groupBy: .hourOfDay)
        #expect(try AggregateAlertsRequest(decoding: request.encoded()) == request)
        var stream = StreamAlertsRequest()
        stream.filter.detectors = ["pinn"]
        #expect(try StreamAlertsRequest(decoding: stream.encoded()) == stream)
    }

    @Test func garbageIsADecodeErrorNamingTheType() {
        #expect(throws: DecodeError(messageType: "fluxion.v1.QueryAlertsRequest", byteCount: 3)) {
            try QueryAlertsRequest(decoding: [0xFF, 0xFF, 0xFF])
        }
    }
}

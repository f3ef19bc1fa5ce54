import FluxionAlerts
import Testing

@Suite struct NetworkLocatorTests {
    let locator = NetworkLocator(Fixtures.network)

    @Test func nearestStationIsAlongThePipes() throws {
        let near = try #require(locator.nearestStation(pipeID: "P1", positionM: 1_000))
        #expect(near.stationID == "STA")
        #expect(near.distanceM == 1_000)
        // 9 km along P1: A is 9 km away, B is 1 + 6 = 7 km away.
        let far = try #require(locator.nearestStation(pipeID: "P1", positionM: 9_000))
        #expect(far.stationID == "STB")
        #expect(far.distanceM == 7_000)
        // The spur has no station at either end: through J, 1 km + 6 km to B vs 10 km to A.
        let spur = try #require(locator.nearestStation(pipeID: "P3", positionM: 3_000))
        #expect(spur.stationID == "STB")
        #expect(spur.distanceM == 9_000)
    }

    @Test func unknownPipeHasNoStationAndMissingPositionUsesTheMidpoint() {
        #expect(locator.nearestStation(pipeID: "nope", positionM: 0) == nil)
        #expect(locator.nearestStation(pipeID: nil, positionM: 0) == nil)
        #expect(locator.nearestStation(pipeID: "P2", positionM: nil)?.distanceM == 3_000)
        #expect(locator.segment(pipeID: "P3") == "P3")
        #expect(locator.segment(pipeID: "P2") == "L")
    }

    @Test func leakMatchingToleranceAndTimes() {
        let matcher = LeakMatcher(toleranceM: 1_000, clearGraceS: 60)
        let leak = LeakReference(
            id: "LK", pipeID: "P2", positionM: 1_000, lineID: "L", chainageM: 11_000, startS: 100,
            clearedS: 200)
        func match(_ pipe: String?, _ x: Double?, _ t: Double) -> String? {
            matcher.match(pipeID: pipe, positionM: x, atSimTimeS: t, leaks: [leak], locator: locator)
        }
        #expect(match("P2", 1_900, 150) == "LK")
        #expect(match("P2", 2_100, 150) == nil)  // 1.1 km: outside the tolerance
        #expect(match("P1", 10_000, 150) == "LK")  // other pipe, same line: chainage 10 km vs 11 km
        #expect(match("P1", 9_900, 150) == nil)  // 1.1 km along the line
        #expect(match("P2", 1_000, 99) == nil)  // before the leak started
        #expect(match("P2", 1_000, 260) == "LK")  // within the grace after clearing
        #expect(match("P2", 1_000, 261) == nil)
        #expect(match(nil, nil, 150) == "LK")  // no location: the only candidate
        #expect(match("P3", 1_000, 150) == nil)  // the spur is not on the line
    }
}

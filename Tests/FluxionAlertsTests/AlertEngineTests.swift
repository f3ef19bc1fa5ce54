import FluxionAlerts
import FluxionDetectorKit
import Testing

@Suite struct AlertEngineTests {
    /// 1 Hz signals; the default raise hold is 2 s, clear hold 10 s.
    @Test func raisesOnlyAfterTheHoldTime() {
        var engine = Fixtures.engine()
        #expect(engine.process([Fixtures.signal(0, 0.9), Fixtures.signal(1, 0.9)]).isEmpty)
        let events = engine.process([Fixtures.signal(2, 0.85)])
        #expect(events.map(\.kind) == [.raised])
        let a = events[0].alert
        #expect(a.id == "T-1")
        #expect(a.raisedSimTimeS == 2)
        #expect(a.raisedWallUnixNs == Fixtures.signal(2, 0).wallTimeUnixNs)
        #expect(a.probability == 0.9)  // the peak so far
        #expect(a.state == .raised)
        #expect(engine.raisedAlerts["threshold"]?.id == "T-1")
    }

    @Test func aDipBelowTheRaiseThresholdRestartsTheHold() {
        var engine = Fixtures.engine()
        let probabilities = [0.9, 0.9, 0.7, 0.9, 0.9, 0.9]  // the dip at t = 2 restarts the wait
        let events = engine.process(probabilities.enumerated().map { Fixtures.signal(Double($0.offset), $0.element) })
        #expect(events.map(\.kind) == [.raised])
        #expect(events.first?.alert.raisedSimTimeS == 5)
    }

    /// A noisy probability around the thresholds: once raised it stays raised while the dips
    /// below the clear threshold are shorter than the clear hold; exactly one raise, one clear.
    @Test func noFlappingAcrossANoisySignal() {
        var engine = Fixtures.engine()
        var rng = SplitMix(seed: 42)
        var signals: [AlertSignal] = []
        for t in 0..<20 { signals.append(Fixtures.signal(Double(t), 0.1 + 0.15 * rng.unit())) }  // 0.10…0.25: quiet
        for t in 20..<200 {
            // Mostly 0.75…0.95 (crossing the raise threshold often), with 3 s dips to 0.2 every 30 s.
            let dip = t % 30 < 3
            signals.append(Fixtures.signal(Double(t), dip ? 0.2 : 0.75 + 0.2 * rng.unit()))
        }
        for t in 200..<260 { signals.append(Fixtures.signal(Double(t), 0.05 + 0.2 * rng.unit())) }
        let events = engine.process(signals)
        #expect(events.filter { $0.kind == .raised }.count == 1)
        #expect(events.filter { $0.kind == .cleared }.count == 1)
        let cleared = events.last { $0.kind == .cleared }?.alert
        #expect(cleared?.clearedSimTimeS == 210)  // first ≤ 0.3 at 200, held 10 s
        #expect(cleared?.state == .cleared)
        #expect(engine.raisedAlerts.isEmpty)
    }

    @Test func clearsAfterTheClearHoldAndBetweenThresholdsNothingChanges() {
        var engine = Fixtures.engine { $0.raiseHoldS = 0 }
        #expect(engine.process([Fixtures.signal(0, 0.95)]).map(\.kind) == [.raised])
        // 0.5 is between the thresholds: stays raised however long.
        #expect(engine.process((1...100).map { Fixtures.signal(Double($0), 0.5) }).isEmpty)
        #expect(engine.process((101...110).map { Fixtures.signal(Double($0), 0.2) }).isEmpty)  // held 9 s
        let events = engine.process([Fixtures.signal(111, 0.2)])
        #expect(events.map(\.kind) == [.cleared])
        #expect(events[0].alert.clearedSimTimeS == 111)
        #expect(events[0].alert.raisedSimTimeS == 0)
        // A new raise after the clear is a new alert.
        #expect(engine.process([Fixtures.signal(112, 0.99)]).first?.alert.id == "T-2")
    }

    @Test func updatesWhileRaisedTrackPeakAndLatestLocation() {
        var engine = Fixtures.engine { $0.raiseHoldS = 0 }
        _ = engine.process([Fixtures.signal(0, 0.82, x: 2_000, size: 0.02)])
        // Small changes: no event.
        #expect(engine.process([Fixtures.signal(1, 0.84, x: 2_050, size: 0.025)]).isEmpty)
        // Probability up 0.08 from the last event: updated, peak kept.
        let up = engine.process([Fixtures.signal(2, 0.90, x: 2_050)])
        #expect(up.map(\.kind) == [.updated])
        #expect(up[0].alert.probability == 0.90)
        #expect(up[0].alert.sizeFraction == 0.025)  // nil in the signal keeps the last size
        // A lower probability never lowers the peak; a 3 km move is worth an update, told once
        // the update interval (60 s) since the last one has passed.
        #expect(engine.process([Fixtures.signal(3, 0.81, x: 5_000)]).isEmpty)
        let moved = engine.process([Fixtures.signal(62, 0.81, x: 5_000)])
        #expect(moved.map(\.kind) == [.updated])
        #expect(moved[0].alert.probability == 0.90)
        #expect(moved[0].alert.positionM == 5_000)
        #expect(moved[0].alert.updatedSimTimeS == 62)
        // Size to 0.12 makes it high severity: a higher severity is told at once.
        let bigger = engine.process([Fixtures.signal(63, 0.85, x: 5_000, size: 0.12)])
        #expect(bigger.first?.alert.severity == .high)
    }

    /// An estimate that jitters by hundreds of metres every second: before, one stored and
    /// streamed update per 100 m move (3,600 samples gave ~3,000); now at most one per minute
    /// of simulated time, plus the few that a rising peak causes.
    @Test func aJitteringEstimateCostsABoundedNumberOfUpdatesPerHour() {
        var engine = Fixtures.engine { $0.raiseHoldS = 0 }
        var rng = SplitMix(seed: 7)
        var signals: [AlertSignal] = []
        for t in 0..<3600 {
            signals.append(Fixtures.signal(Double(t), 0.9, x: 4_000 + 600 * rng.unit(), size: 0.02 + 0.03 * rng.unit()))
        }
        let events = engine.process(signals)
        let updates = events.filter { $0.kind == .updated }.count
        #expect(events.first?.kind == .raised)
        #expect(updates <= 61, "\(updates) updates in a simulated hour")
        #expect(updates >= 30, "the moves are still told: \(updates)")
    }

    @Test func detectorsAreIndependent() {
        var engine = Fixtures.engine { $0.raiseHoldS = 1 }
        let events = engine.process([
            Fixtures.signal(0, 0.9, detector: "a"), Fixtures.signal(0, 0.9, detector: "b"),
            Fixtures.signal(1, 0.9, detector: "a"), Fixtures.signal(1, 0.1, detector: "b"),
        ])
        #expect(events.map(\.alert.detector) == ["a"])
    }

    @Test func stationSegmentAndLeakAreFilledIn() {
        var engine = Fixtures.engine { $0.raiseHoldS = 0 }
        let leaks = [
            LeakReference(id: "LK-far", pipeID: "P1", positionM: 9_500, lineID: "L", chainageM: 9_500, startS: 0),
            LeakReference(id: "LK-1", pipeID: "P2", positionM: 500, lineID: "L", chainageM: 10_500, startS: 5),
        ]
        // 9.8 km along P1: 0.2 km to J then 6 km to B, 9.8 km to A: nearest station B.
        let a = engine.process([Fixtures.signal(10, 0.9, pipe: "P1", x: 9_800)], leaks: leaks)[0].alert
        #expect(a.stationID == "STB")
        #expect(a.segmentID == "L")
        #expect(a.matchedLeakID == "LK-far")  // 300 m away on the same pipe beats 700 m along the line
    }

    @Test func removingADetectorClearsItsRaisedAlert() {
        var engine = Fixtures.engine { $0.raiseHoldS = 0 }
        _ = engine.process([Fixtures.signal(0, 0.9, detector: "a"), Fixtures.signal(0, 0.9, detector: "b")])
        let event = engine.removeDetector("a", simTimeS: 42, wallTimeUnixNs: 7)
        #expect(event?.kind == .cleared)
        #expect(event?.alert.clearedSimTimeS == 42)
        #expect(event?.alert.clearedWallUnixNs == 7)
        #expect(engine.raisedAlerts.keys.sorted() == ["b"])
        #expect(engine.removeDetector("a", simTimeS: 43, wallTimeUnixNs: 8) == nil)
        // Loaded again, it starts from idle: a new alert.
        #expect(engine.process([Fixtures.signal(50, 0.9, detector: "a")]).first?.alert.id == "T-3")
    }

    @Test func severityRule() {
        #expect(AlertSeverity(probability: 0.85, sizeFraction: nil) == .low)
        #expect(AlertSeverity(probability: 0.92, sizeFraction: 0.01) == .medium)
        #expect(AlertSeverity(probability: 0.85, sizeFraction: 0.05) == .medium)
        #expect(AlertSeverity(probability: 0.96, sizeFraction: nil) == .high)
        #expect(AlertSeverity(probability: 0.85, sizeFraction: 0.15) == .high)
        #expect(AlertSeverity(probability: 0.96, sizeFraction: 0.15) == .critical)
        #expect(AlertSeverity(probability: 0.81, sizeFraction: 0.25) == .critical)
    }
}

/// A tiny deterministic generator (the tests must not depend on the system's random numbers).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in 0..<1.
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

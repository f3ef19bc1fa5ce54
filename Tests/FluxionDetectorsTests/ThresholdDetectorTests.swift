import FluxionDetectorKit
import FluxionScenario
import FluxionTwin
import Testing

@testable import FluxionDetectors

/// The threshold plugin (the real build, through dlopen) on the `water-main-leak` scenario: a
/// 6 km water main, a 1 % leak opening at chainage 4200 m (pipe M2, 1200 m) at t = 20 s.
@Suite struct ThresholdDetectorTests {
    /// Learns for 15 s (the leak opens at 20 s), then must alarm and place the leak.
    static let config = #"{"learn_s": 15, "window_blocks": 5}"#

    @Test func findsAndLocatesTheScenarioLeak() throws {
        let scenario = try EmbeddedScenarios.load("water-main-leak")
        var sim = try Simulation(scenario: scenario, seed: 7)
        let network = NetworkDescription(sim)
        let host = DetectorHost(pluginDirectory: TestPlugins.directory, network: network)
        try host.load(plugin: "threshold", configJSON: Self.config)
        try host.activate("threshold")
        let builder = TickBuilder(network)
        var before: [AlertSignal] = [], during: [AlertSignal] = []
        sim.advance(toTimeS: 60) { readings in
            guard let t = readings.first?.simTimeS else { return }
            let signals = host.process(builder.tick(simTimeS: t, readings: readings))
            if t < 20 { before += signals } else { during += signals }
        }
        let maxBefore = before.map(\.estimate.probability).max() ?? 1
        let alarm = during.first { $0.estimate.probability >= 0.5 }
        let last = try #require(during.last { $0.estimate.probability >= 0.5 }).estimate
        #expect(maxBefore < 0.5)
        let detected = try #require(alarm)
        // The 5 s window needs about half of it filled with the leak's 1.8 L/s to pass 5σ.
        #expect(detected.simTimeS - 20 <= 10)
        #expect(detected.estimate.pipeID == "M2")
        #expect(detected.estimate.positionM != nil)  // placed; how well: the test below
        // The location is kept for the whole alarm episode.
        #expect(last.pipeID == "M2")
        // Size: imbalance / nominal flow of M2. Within 0.4 points: the 5 s window still carries
        // the opening transient's line-pack error and 1 Hz meter noise (0.5 L/s per meter).
        let size = try #require(last.sizeFraction)
        #expect(abs(size - 0.01) <= 0.004)
    }
}

extension ThresholdDetectorTests {
    /// Where the first alarm places the scenario's leak, over seeds 0…15 (nil: no alarm by 40 s).
    static func positionErrors() throws -> [Double?] {
        try (UInt64(0)..<16).map { seed in
            var sim = try Simulation(scenario: EmbeddedScenarios.load("water-main-leak"), seed: seed)
            let network = NetworkDescription(sim)
            let host = DetectorHost(pluginDirectory: TestPlugins.directory, network: network)
            try host.load(plugin: "threshold", configJSON: config)
            try host.activate("threshold")
            let builder = TickBuilder(network)
            var first: DetectorEstimate?
            sim.advance(toTimeS: 40) { readings in
                guard first == nil, let t = readings.first?.simTimeS else { return }
                let signals = host.process(builder.tick(simTimeS: t, readings: readings))
                if t >= 20 { first = signals.first { $0.estimate.probability >= 0.5 }?.estimate }
            }
            return first.flatMap { $0.pipeID == "M2" ? $0.positionM.map { abs($0 - 1200) } : nil }
        }
    }

    // One seed is one draw of the noise: the pressure-wave locator pairs the wrong arrivals on
    // a minority of seeds and is then 300–360 m off (3 of 15 detections before the twin's
    // sensors moved onto grid faces, 4 of 15 after; docs/DETECTION.md). The median over 16
    // seeds must stay within 100 m: 10 Hz sampling times an arrival to ±60 m at ~1200 m/s and
    // the 2 s ramp adds a similar spread (measured 68 m; 63 m before the move).
    @Test func locatesTheScenarioLeakOverSeeds() throws {
        let placed = try Self.positionErrors().compactMap { $0 }.sorted()
        #expect(placed.count >= 14, "\(placed)")
        let median = placed[placed.count / 2]
        #expect(median <= 100, "median \(median) m of \(placed)")
    }
}

/// The threshold plugin on the default gas scenario: volume balance with line pack for
/// detection, hydraulic gradient for the position.
@Suite struct ThresholdGasTests {
    /// The default detector on absheron (seed 3) with a 5 % leak of T2's nominal flow
    /// (≈ 1,250 Sm³/h) at T2 25,000 m (chainage 35,250 m) from t = 2 h, observed 1.5 h, the
    /// sensors in `failed` dropped out from the start: the highest probability before the leak,
    /// and the alarming signals after it.
    static func trunkLeak(failed: [String] = []) throws -> (before: Double, alarms: [AlertSignal]) {
        var scenario = try EmbeddedScenarios.load("absheron")
        scenario.autopilot.enabled = false
        var sim = try Simulation(scenario: scenario, seed: 3)
        for id in failed { try sim.setSensorFault(id: id, fault: .dropout) }
        _ = try sim.injectLeak(
            LeakRequest(
                location: .pipe(id: "T2", positionM: 25_000), size: .fractionOfNominalFlow(0.05),
                startS: 7200, rampS: 30))
        let network = NetworkDescription(sim)
        let host = DetectorHost(pluginDirectory: TestPlugins.directory, network: network)
        try host.load(plugin: "threshold")
        try host.activate("threshold")
        let builder = TickBuilder(network)
        var before = 0.0
        var alarms: [AlertSignal] = []
        sim.advance(toTimeS: 7200 + 5400) { readings in
            guard let t = readings.first?.simTimeS else { return }
            for s in host.process(builder.tick(simTimeS: t, readings: readings)) {
                if t < 7200 {
                    before = max(before, s.estimate.probability)
                } else if s.estimate.probability >= 0.5 {
                    alarms.append(s)
                }
            }
        }
        return (before, alarms)
    }

    @Test func detectsAndPlacesAFivePercentLeakOnTheTrunk() throws {
        let (before, alarms) = try Self.trunkLeak()
        #expect(before < 0.5, "no alarm in the 2 h of normal operation (learning: the first hour)")
        let first = try #require(alarms.first)
        // The 15 min window passes 5σ within a few minutes for a leak this size.
        #expect(first.simTimeS - 7200 < 900)
        // At detection (the evaluation's rule: 120 s after the alarm rose) the transient model
        // places it; the held-out evaluation's median there is 3.1 % of the pipe (1.9 % for T2
        // leaks of 2–5 %), p90 12 %: allow 5 % of T2 (2.15 km) for this case, a large leak
        // (measured 123 m on 2026-12-07, with the old and the trapezoidal friction alike).
        let detection = try #require(alarms.first { $0.simTimeS >= first.simTimeS + 120 })
        #expect(detection.estimate.pipeID == "T2")
        let early = try #require(detection.estimate.positionM)
        #expect(abs(early - 25_000) < 2_150, "placed at \(early) m at detection")
        // After 1.5 h the pressure deficit has settled (the gradient answers); the held-out
        // evaluation's settled median is 2.6 % of the pipe, p90 14 %: allow 10 % of T2 (4.3 km).
        let last = try #require(alarms.last)
        #expect(last.estimate.pipeID == "T2")
        let position = try #require(last.estimate.positionM)
        #expect(abs(position - 25_000) < 4_300, "placed at \(position) m")
        // Size: the balance excess over T2's nominal flow; 1 point = 250 Sm³/h of model error.
        #expect(abs((last.estimate.sizeFraction ?? 0) - 0.05) < 0.01)
    }

    /// Transmitters three times quieter than the scenario's (50 Pa on the line, 100 Pa at the
    /// stations): the residual's spread learned in the first (night) hour is then small, while
    /// the day's demand swings move the line pack by more than a few pressure sensors follow
    /// exactly. Without the line-pack uncertainty term the balance alarms on normal operation
    /// (3.8 false alarms a day in the 600-case evaluation; 0–5 a day, none on one day in six);
    /// with the default (1 % of the line-pack rate in quadrature) 0.03. The day of seed 1 is
    /// one where the plain balance alarms, which the test checks so that it cannot pass on a
    /// quiet day; the default must not alarm at all.
    @Test func quieterTransmittersRaiseNoFalseAlarmOverADay() throws {
        var scenario = try EmbeddedScenarios.load("absheron")
        scenario.autopilot.enabled = false
        for i in scenario.sensors.indices where scenario.sensors[i].quantity == .pressure {
            scenario.sensors[i].noiseStdDev /= 3
        }
        var sim = try Simulation(scenario: scenario, seed: 1)
        let network = NetworkDescription(sim)
        let host = DetectorHost(pluginDirectory: TestPlugins.directory, network: network)
        try host.load(plugin: "threshold", name: "default")
        try host.load(plugin: "threshold", name: "without", configJSON: #"{"pack_uncertainty": 0}"#)
        try host.activate("default")
        try host.activate("without")
        let builder = TickBuilder(network)
        var alarmed: [String: Int] = [:]  // ticks at probability ≥ 0.5, per detector
        sim.advance(toTimeS: 86_400) { readings in
            guard let t = readings.first?.simTimeS else { return }
            for s in host.process(builder.tick(simTimeS: t, readings: readings)) where s.estimate.probability >= 0.5 {
                alarmed[s.detector, default: 0] += 1
            }
        }
        #expect(alarmed["default", default: 0] == 0, "no alarm in a day of normal operation")
        #expect(alarmed["without", default: 0] > 0, "without the term the day's swings alarm")
    }
}

extension ThresholdDetectorTests {
    /// A failed line transmitter: the pressure-wave locator pairs the reporting transmitters on
    /// either side of it. PT-2500 drops out from the start, or at 10 s (before the leak, after
    /// its baseline and the stand-in's offsets were learned); a 2 % leak at M1 1800 m (chainage
    /// 1800) from 20 s lies between PT-0500 and PT-4500. Before the fix the locator only paired
    /// fixed neighbours and placed every such leak at PT-4500 (M2 @ 1500 m, 2.7 km off). The
    /// bound: the median over 5 seeds within 150 m — the 4 km pair times an arrival to ±60 m at
    /// 10 Hz as the 2 km pairs do, with a longer path for the opening transient to spread.
    @Test(arguments: [0.0, 10.0])
    func aFailedTransmitterIsPassedOverByThePressureWaveLocator(failAtS: Double) throws {
        var scenario = try EmbeddedScenarios.load("water-main-leak")
        scenario.leaks = []
        let errors: [Double] = try (UInt64(0)..<5).map { seed in
            var sim = try Simulation(scenario: scenario, seed: seed)
            _ = try sim.injectLeak(
                LeakRequest(
                    location: .pipe(id: "M1", positionM: 1800), size: .fractionOfNominalFlow(0.02), startS: 20,
                    rampS: 0, source: "test"))
            let network = NetworkDescription(sim)
            let host = DetectorHost(pluginDirectory: TestPlugins.directory, network: network)
            try host.load(plugin: "threshold", configJSON: Self.config)
            try host.activate("threshold")
            let builder = TickBuilder(network)
            var first: DetectorEstimate?
            let observe: (([Reading]) -> Void) = { readings in
                guard first == nil, let t = readings.first?.simTimeS else { return }
                let signals = host.process(builder.tick(simTimeS: t, readings: readings))
                if t >= 20 { first = signals.first { $0.estimate.probability >= 0.5 }?.estimate }
            }
            if failAtS > 0 { sim.advance(toTimeS: failAtS, observe) }
            try sim.setSensorFault(id: "PT-2500", fault: .dropout)
            sim.advance(toTimeS: 40, observe)
            let placed = try #require(first, "seed \(seed): no alarm by 40 s")
            let chainage: Double =
                placed.pipeID == "M1" ? (placed.positionM ?? .nan) : 3000 + (placed.positionM ?? .nan)
            return abs(chainage - 1800)
        }
        let median = errors.sorted()[2]
        #expect(median <= 150, "errors \(errors) m")
    }
}

extension ThresholdGasTests {
    /// PT-T2-21 (chainage 31,750 m, 3.5 km from the leak) dropped out from the start. Before the
    /// stand-in (`PressureGapFiller`) the line pack and the transient model took its missing
    /// readings as they came: on 300 held-out cases 62.5 % of leaks ≥ 1 % detected, 1.6 false
    /// alarms a day and none located. Now: no false alarm, detected as quickly as with every
    /// transmitter, on T2 within 10 % of the pipe (4.3 km; its neighbours are 14.5 km either side of it).
    @Test func aFailedLineTransmitterIsStoodInFor() throws {
        let (before, alarms) = try ThresholdGasTests.trunkLeak(failed: ["PT-T2-21"])
        #expect(before < 0.5, "no alarm in the 2 h of normal operation")
        let first = try #require(alarms.first)
        #expect(first.simTimeS - 7200 < 900)
        let detection = try #require(alarms.first { $0.simTimeS >= first.simTimeS + 120 })
        #expect(detection.estimate.pipeID == "T2")
        let early = try #require(detection.estimate.positionM)
        #expect(abs(early - 25_000) < 4_300, "placed at \(early) m at detection")
        let last = try #require(alarms.last)
        #expect(abs((last.estimate.sizeFraction ?? 0) - 0.05) < 0.01)
    }
}

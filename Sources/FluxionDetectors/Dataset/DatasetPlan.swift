import FluxionTwin

/// One case of a labelled dataset: a fresh simulation of the scenario, recorded over a window,
/// with zero, one or several leaks opening inside it.
public struct DatasetCase: Sendable, Equatable {
    public var index: Int
    /// Seed of the simulation's sensor noise.
    public var seed: UInt64
    /// The recorded window, s of simulated time (the simulation runs from 0 to reach it).
    public var windowStartS: Double
    public var windowEndS: Double
    /// The leaks, in onset order (empty: a normal-operation case).
    public var leaks: [LeakSampler.Draw]
}

/// The cases of a dataset, drawn deterministically from a seed.
///
/// Each case draws a first leak as `fluxion evaluate` draws its cases (`LeakSampler`: pipe by
/// length along the lines, position 5…95 %, size, start, ramp); the window is
/// [start − `beforeS`, start + `afterS`]. A further `leaksPerCase − 1` leaks are drawn the
/// same way with their starts uniform in the first half of the time after the first. A share
/// `normalFraction` of the cases (every case whose draw falls below it) keeps the window but
/// opens no leak: normal operation at the same times of day.
public struct DatasetPlan: Sendable {
    public var cases: [DatasetCase]

    public init(
        scenario: Scenario, count: Int, seed: UInt64, sizeRange: ClosedRange<Double> = 0.005...0.05,
        startRangeS: ClosedRange<Double>, beforeS: Double, afterS: Double, maxRampS: Double,
        leaksPerCase: Int = 1, normalFraction: Double = 0
    ) {
        let sampler = LeakSampler(network: scenario.network)
        var rng = SeededRandom(seed: seed, stream: 0xDA7A)
        cases = (0..<count).map { i in
            let first = sampler.draw(&rng, sizeRange: sizeRange, startRangeS: startRangeS, maxRampS: maxRampS)
            var leaks = [first]
            for _ in 1..<max(1, leaksPerCase) {
                let later = first.startS...(first.startS + afterS / 2)
                leaks.append(sampler.draw(&rng, sizeRange: sizeRange, startRangeS: later, maxRampS: maxRampS))
            }
            let normal = rng.uniform() < normalFraction
            return DatasetCase(
                index: i, seed: seed &+ UInt64(i) &* 7919, windowStartS: max(0, first.startS - beforeS),
                windowEndS: first.startS + afterS,
                leaks: normal ? [] : leaks.sorted { $0.startS < $1.startS })
        }
    }
}

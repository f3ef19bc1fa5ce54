import FluxionTwin

/// One evaluation run: a fresh simulation of the scenario with (usually) one leak.
public struct EvaluationCase: Sendable, Equatable {
    public var index: Int
    /// Seed of the simulation's sensor noise.
    public var seed: UInt64
    public var pipeID: String
    /// m from the pipe's start.
    public var positionM: Double
    /// Leak outflow as a fraction of the pipe's nominal flow.
    public var sizeFraction: Double
    /// Leak start, s of simulated time (everything before it is normal operation).
    public var leakStartS: Double
    public var rampS: Double
    /// End of the run, s.
    public var endS: Double
}

/// The cases of an evaluation, drawn deterministically from a seed.
///
/// Leaks are placed uniformly along the scenario's lines (pipe chosen with probability
/// proportional to its length, position uniform in 5…95 % of the pipe), size uniform in
/// `sizeRange`, start uniform in `startRangeS`, ramp uniform in 0…`maxRampS`. Each run
/// observes `observeS` after the leak starts. Everything before the start is a normal-operation
/// stretch (with the scenario's demand profile and sensor noise).
public struct EvaluationPlan: Sendable {
    public var cases: [EvaluationCase]

    public init(
        scenario: Scenario, count: Int, seed: UInt64, sizeRange: ClosedRange<Double> = 0.005...0.05,
        startRangeS: ClosedRange<Double>, observeS: Double, maxRampS: Double
    ) {
        let sampler = LeakSampler(network: scenario.network)
        var rng = SeededRandom(seed: seed, stream: 0xE7A1)
        cases = (0..<count).map { i in
            let leak = sampler.draw(&rng, sizeRange: sizeRange, startRangeS: startRangeS, maxRampS: maxRampS)
            return EvaluationCase(
                index: i, seed: seed &+ UInt64(i) &* 7919, pipeID: leak.pipeID, positionM: leak.positionM,
                sizeFraction: leak.sizeFraction, leakStartS: leak.startS, rampS: leak.rampS,
                endS: leak.startS + observeS)
        }
    }
}

/// How evaluation and dataset cases place a leak: on a pipe of the scenario's lines chosen with
/// probability proportional to its length, at a position uniform in 5…95 % of the pipe, size
/// uniform in `sizeRange`, start uniform in `startRangeS`, ramp uniform in 0…`maxRampS` (drawn
/// in that order from the generator given).
public struct LeakSampler: Sendable {
    /// One drawn leak.
    public struct Draw: Sendable, Equatable {
        public var pipeID: String
        public var positionM: Double
        public var sizeFraction: Double
        public var startS: Double
        public var rampS: Double
    }

    private let pipes: [(id: String, lengthM: Double)]
    private let totalM: Double

    public init(network: Network) {
        var linePipes = network.lines.flatMap(\.pipeIds).compactMap { id in network.pipes.first { $0.id == id } }
        if linePipes.isEmpty { linePipes = network.pipes }
        pipes = linePipes.map { ($0.id, $0.lengthM) }
        totalM = linePipes.reduce(0) { $0 + $1.lengthM }
    }

    public func draw(
        _ rng: inout SeededRandom, sizeRange: ClosedRange<Double>, startRangeS: ClosedRange<Double>,
        maxRampS: Double
    ) -> Draw {
        var pick = rng.uniform() * totalM
        var pipe = pipes[pipes.count - 1]
        for p in pipes {
            if pick < p.lengthM {
                pipe = p
                break
            }
            pick -= p.lengthM
        }
        let position = pipe.lengthM * (0.05 + 0.9 * rng.uniform())
        let size = sizeRange.lowerBound + (sizeRange.upperBound - sizeRange.lowerBound) * rng.uniform()
        let start = startRangeS.lowerBound + (startRangeS.upperBound - startRangeS.lowerBound) * rng.uniform()
        let ramp = maxRampS * rng.uniform()
        return Draw(pipeID: pipe.id, positionM: position, sizeFraction: size, startS: start, rampS: ramp)
    }
}

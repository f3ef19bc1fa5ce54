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
        let net = scenario.network
        var linePipes = net.lines.flatMap(\.pipeIds).compactMap { id in net.pipes.first { $0.id == id } }
        if linePipes.isEmpty { linePipes = net.pipes }
        let total = linePipes.reduce(0) { $0 + $1.lengthM }
        var rng = SeededRandom(seed: seed, stream: 0xE7A1)
        cases = (0..<count).map { i in
            var pick = rng.uniform() * total
            var pipe = linePipes[linePipes.count - 1]
            for p in linePipes {
                if pick < p.lengthM { pipe = p; break }
                pick -= p.lengthM
            }
            let position = pipe.lengthM * (0.05 + 0.9 * rng.uniform())
            let size = sizeRange.lowerBound + (sizeRange.upperBound - sizeRange.lowerBound) * rng.uniform()
            let start = startRangeS.lowerBound + (startRangeS.upperBound - startRangeS.lowerBound) * rng.uniform()
            let ramp = maxRampS * rng.uniform()
            return EvaluationCase(
                index: i, seed: seed &+ UInt64(i) &* 7919, pipeID: pipe.id, positionM: position,
                sizeFraction: size, leakStartS: start, rampS: ramp, endS: start + observeS)
        }
    }
}

import FluxionDetectorKit
import FluxionTwin
import Testing

@testable import FluxionPINN

/// The PINN inputs' noise estimate and noise matching (docs/PINN.md, "Inputs").
@Suite struct NoiseMatchingTests {
    /// Gaussian noise of σ = 150 on a constant and on a slow ramp: the median-of-differences
    /// estimate is within 6 % (its relative standard error over 1,200 differences is ~3 %).
    @Test func theEstimateRecoversWhiteNoise() throws {
        for slope in [0.0, 0.5] {
            var rng = SeededRandom(seed: 5, stream: 1)
            var e = NoiseEstimate()
            for t in 0..<2000 { e.add(1e5 + slope * Double(t) + 150 * rng.normal()) }
            let sigma = try #require(e.sigma)
            #expect(abs(sigma / 150 - 1) < 0.06, "slope \(slope): σ \(sigma)")
        }
        // Too few readings: no estimate; a gap is not a difference.
        var short = NoiseEstimate()
        for x in [1.0, 2, 3] { short.add(x) }
        short.gap()
        short.add(1000)
        #expect(short.sigma == nil)
    }

    /// A model trained on σ = 50 fed σ = 150: each pressure channel is averaged over
    /// ⌈(σ̂/50)²⌉ rows, σ̂ its estimate (≈ 150: 8–10 rows); fed σ = 50, over none. A model
    /// without a recorded noise: never.
    @Test func noiserChannelsAreAveragedBackToTheTrainedNoise() throws {
        func averaging(trained: [Double]?, sigma: Double) -> [Int] {
            var config = PINNTests.config
            config.pressureNoise = trained
            var f = PINNFeatures(config: config, network: PINNTests.network)
            var rng = SeededRandom(seed: 9, stream: 2)
            for _ in 0..<1500 {
                _ = f.row(fromSensorValues: [
                    Float(1e5 + sigma * rng.normal()), Float(9e4 + sigma * rng.normal()), 0.05, 0.05,
                ])
            }
            return f.averaging
        }
        #expect(averaging(trained: [50, 50], sigma: 150).allSatisfy { (8...10).contains($0) })
        #expect(averaging(trained: [50, 50], sigma: 50) == [1, 1])
        #expect(averaging(trained: nil, sigma: 150) == [1, 1])
        // The averaged rows: the newest 9 values' mean.
        var config = PINNTests.config
        config.pressureNoise = [50, 50]
        var f = PINNFeatures(config: config, network: PINNTests.network)
        var rng = SeededRandom(seed: 9, stream: 2)
        var last: [Float] = []
        var lastRow: [Double]?
        for _ in 0..<1500 {
            let v: [Float] = [Float(1e5 + 150 * rng.normal()), Float(9e4 + 150 * rng.normal()), 0.05, 0.05]
            last.append(v[0])
            lastRow = f.row(fromSensorValues: v)
        }
        let estimated = try #require(f.noise[0])
        let n = Int((estimated / 50 * estimated / 50).rounded(.up))
        #expect(f.averaging[0] == n)
        let mean = last.suffix(n).map(Double.init).reduce(0, +) / Double(n)
        #expect(abs((lastRow?[0] ?? 0) - mean) < 1e-6)
    }
}

import Foundation

/// A deterministic random number generator: xoshiro256** seeded through
/// SplitMix64, with Box–Muller normals. Same seed → same sequence on every platform.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)
    private var spareNormal: Double?

    /// Seeds the generator from a 64-bit seed and a stream number (e.g. a sensor index),
    /// so independent streams do not depend on each other's draws.
    public init(seed: UInt64, stream: UInt64 = 0) {
        var x = seed ^ (stream &* 0x9E37_79B9_7F4A_7C15)
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1), 53 random bits.
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Standard normal N(0, 1) by Box–Muller (two per pair of uniforms).
    public mutating func normal() -> Double {
        if let z = spareNormal {
            spareNormal = nil
            return z
        }
        var u1 = uniform()
        while u1 <= 0 { u1 = uniform() }
        let u2 = uniform()
        let r = (-2 * _log(u1)).squareRoot()
        let theta = 2 * Double.pi * u2
        spareNormal = r * _sin(theta)
        return r * _cos(theta)
    }
}

private func _log(_ x: Double) -> Double { Foundation.log(x) }
private func _sin(_ x: Double) -> Double { Foundation.sin(x) }
private func _cos(_ x: Double) -> Double { Foundation.cos(x) }

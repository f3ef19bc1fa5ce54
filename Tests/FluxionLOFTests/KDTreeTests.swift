import Testing

@testable import FluxionLOF

/// The KD-tree against a brute-force search with the same (distance, index) order, on
/// data full of ties and duplicates (small integer grids), so exactness does not depend on
/// continuous data.
@Suite struct KDTreeTests {
    /// A reproducible generator (SplitMix64).
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
    }

    func grid(count: Int, dimension: Int, levels: Int, seed: UInt64) throws -> FeatureMatrix {
        var g = Generator(state: seed)
        let values = (0..<count * dimension).map { _ in Double(g.next(levels)) * 0.5 }
        return try FeatureMatrix(count: count, dimension: dimension, values: values)
    }

    func bruteForce(_ data: FeatureMatrix, _ query: [Double], k: Int, exclude: Int) -> [(Double, Int)] {
        let d = data.dimension
        return (0..<data.count).filter { $0 != exclude }.map { i -> (Double, Int) in
            var sum = 0.0
            for j in 0..<d {
                let t = query[j] - data.values[i * d + j]
                sum += t * t
            }
            return (sum.squareRoot(), i)
        }.sorted { $0 < $1 }.prefix(k).map { $0 }
    }

    @Test(arguments: [(1, 3), (3, 4), (8, 3), (5, 10)])
    func matchesBruteForce(dimension: Int, levels: Int) throws {
        let data = try grid(count: 700, dimension: dimension, levels: levels, seed: UInt64(dimension * 31 + levels))
        let queries = try grid(count: 60, dimension: dimension, levels: levels + 1, seed: 99)
        for leafSize in [1, 4, 64] {
            let tree = KDTree(data, leafSize: leafSize)
            let k = 9
            let table = tree.neighbors(of: queries, k: k)
            for q in 0..<queries.count {
                let expected = bruteForce(data, queries.row(q), k: k, exclude: -1)
                #expect(Array(table.distances[q * k..<(q + 1) * k]) == expected.map(\.0))
                #expect(Array(table.indices[q * k..<(q + 1) * k]) == expected.map(\.1))
            }
            let own = tree.neighborsOfIndexedPoints(k: k, parallel: true)
            for i in stride(from: 0, to: data.count, by: 7) {
                let expected = bruteForce(data, data.row(i), k: k, exclude: i)
                #expect(Array(own.indices[i * k..<(i + 1) * k]) == expected.map(\.1))
                #expect(Array(own.distances[i * k..<(i + 1) * k]) == expected.map(\.0))
            }
        }
    }

    /// Coordinates far from zero with tiny spreads (the Float filter's allowance is then
    /// large relative to distances) and coordinates too large for Float (the filter is
    /// bypassed): both must still agree exactly with brute force.
    @Test(arguments: [(5e6, 1e-3), (-3e9, 0.25), (1e17, 1e15), (1e300, 1e298)])
    func extremeCoordinates(offset: Double, step: Double) throws {
        let base = try grid(count: 400, dimension: 4, levels: 7, seed: 5)
        let data = try FeatureMatrix(count: 400, dimension: 4, values: base.values.map { offset + $0 * step })
        let queries = try FeatureMatrix(
            count: 30, dimension: 4, values: (0..<120).map { offset + Double($0 % 9) * step * 0.37 })
        let tree = KDTree(data)
        let table = tree.neighbors(of: queries, k: 6)
        for q in 0..<queries.count {
            let expected = bruteForce(data, queries.row(q), k: 6, exclude: -1)
            #expect(Array(table.distances[q * 6..<(q + 1) * 6]) == expected.map(\.0))
            #expect(Array(table.indices[q * 6..<(q + 1) * 6]) == expected.map(\.1))
        }
    }

    @Test func allPointsIdentical() throws {
        let data = try FeatureMatrix(count: 50, dimension: 3, values: Array(repeating: 2.5, count: 150))
        let tree = KDTree(data, leafSize: 4)
        let own = tree.neighborsOfIndexedPoints(k: 5)
        #expect(own.distances.allSatisfy { $0 == 0 })
        #expect(Array(own.indices[0..<5]) == [1, 2, 3, 4, 5])
        #expect(Array(own.indices[5 * 3..<5 * 4]) == [0, 1, 2, 4, 5])
    }

    @Test func parallelEqualsSerial() throws {
        let data = try grid(count: 3000, dimension: 6, levels: 50, seed: 7)
        let serial = try LocalOutlierFactor(fitting: data, parameters: LOFParameters(contamination: .fraction(0.1)))
        let parallel = try LocalOutlierFactor(
            fitting: data, parameters: LOFParameters(contamination: .fraction(0.1)), parallel: true)
        #expect(serial.trainingScores == parallel.trainingScores)
        #expect(serial.offset == parallel.offset)
        let queries = try grid(count: 1000, dimension: 6, levels: 60, seed: 8)
        #expect(try serial.scores(of: queries) == (try parallel.scores(of: queries, parallel: true)))
    }
}

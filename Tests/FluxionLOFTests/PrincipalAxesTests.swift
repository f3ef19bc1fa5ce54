import Testing

@testable import FluxionLOF

/// The tree built in principal-axis coordinates must give exactly the neighbours of the
/// unrotated tree and of brute force: on correlated data (what the rotation is for), with
/// ties, far-out queries (the exact-scan and compare-with-everything fallbacks) and the
/// parallel build.
@Suite struct PrincipalAxesTests {
    /// Points driven by two latent factors through a fixed mixing, on a coarse grid so that
    /// many distances tie exactly.
    func correlated(count: Int, seed: UInt64) throws -> FeatureMatrix {
        var g = KDTreeTests.Generator(state: seed)
        let mixing: [[Double]] = [[1, 0.5, -2, 3, 0.25], [0.5, -1, 1, 0, 2]]
        var values: [Double] = []
        for _ in 0..<count {
            let a = Double(g.next(21)) - 10, b = Double(g.next(9)) - 4
            for j in 0..<5 { values.append(a * mixing[0][j] + b * mixing[1][j] + Double(g.next(3)) * 0.125) }
        }
        return try FeatureMatrix(count: count, dimension: 5, values: values)
    }

    func expectEqual(_ a: NeighborTable, _ b: NeighborTable) {
        #expect(a.distances == b.distances)
        #expect(a.indices == b.indices)
    }

    @Test func rotationIsValidAndUsed() throws {
        let data = try correlated(count: 800, seed: 3)
        let axes = try #require(PrincipalAxes(data))
        #expect(axes.stretch >= 1 && axes.stretch < 1 + 1e-12)
        #expect(axes.shrink >= 1 && axes.shrink < 1 + 1e-12)
        #expect(KDTree(data).axes != nil)
        #expect(KDTree(data, rotate: false).axes == nil)
    }

    @Test func rotatedEqualsUnrotatedAndBruteForce() throws {
        let data = try correlated(count: 1500, seed: 11)
        var queries = try correlated(count: 300, seed: 12).values
        // Far-out queries: beyond the Float filter's range (exact scan with the rotation's
        // bounds), and beyond the rotation's safe range (compared with every point).
        queries += [1e16, -3e16, 2e16, 0, 1] + [1e200, 1e200, -1e200, 5, 5]
        let q = try FeatureMatrix(count: queries.count / 5, dimension: 5, values: queries)
        let k = 7
        let rotated = KDTree(data, leafSize: 16)
        let plain = KDTree(data, leafSize: 16, rotate: false)
        let table = rotated.neighbors(of: q, k: k)
        expectEqual(table, plain.neighbors(of: q, k: k))
        expectEqual(rotated.neighborsOfIndexedPoints(k: k), plain.neighborsOfIndexedPoints(k: k))
        let brute = KDTreeTests()
        for row in stride(from: 0, to: q.count, by: 13) + [q.count - 2, q.count - 1] {
            let expected = brute.bruteForce(data, q.row(row), k: k, exclude: -1)
            #expect(Array(table.distances[row * k..<(row + 1) * k]) == expected.map(\.0))
            #expect(Array(table.indices[row * k..<(row + 1) * k]) == expected.map(\.1))
        }
    }

    @Test func parallelBuildEqualsSerial() throws {
        let data = try correlated(count: 5000, seed: 5)
        let serial = KDTree(data)
        let parallel = KDTree(data, parallel: true)
        #expect(serial.nodes == parallel.nodes)
        #expect(serial.originalIndex == parallel.originalIndex)
        expectEqual(serial.neighborsOfIndexedPoints(k: 10), parallel.neighborsOfIndexedPoints(k: 10, parallel: true))
    }
}

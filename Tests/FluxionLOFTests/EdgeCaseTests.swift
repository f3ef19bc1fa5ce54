import Testing

@testable import FluxionLOF

/// Small cases whose expected values were printed by scikit-learn 1.9.1
/// (`LocalOutlierFactor(n_neighbors=…, novelty=True, contamination=…)`, values as `repr`).
/// The same reductions are used, so they are compared with the reference tolerance 1e-12
/// (relative) — in practice they agree to the bit.
@Suite struct EdgeCaseTests {
    static let tolerance = 1e-12

    func fit(_ rows: [[Double]], _ neighbors: Int, _ c: LOFParameters.Contamination) throws -> LocalOutlierFactor {
        try LocalOutlierFactor(
            fitting: FeatureMatrix(rows: rows),
            parameters: LOFParameters(neighbors: neighbors, contamination: c))
    }

    /// Duplicate groups larger than k: every reach-distance is 0, so lrd = 1 / (0 + 1e-10) =
    /// 1e10 and a point next to such a group gets a score near -1e10 (scikit-learn's behaviour,
    /// reproduced rather than "fixed").
    @Test func duplicatePoints() throws {
        let train =
            Array(repeating: [1.0, 1.0], count: 8) + Array(repeating: [4.0, 5.0], count: 3)
            + [[0, 3], [2, -1], [6, 6], [3, 2]]
        let lof = try fit(train, 3, .fraction(0.1))
        #expect(lof.k == 3)
        #expect(lof.localReachabilityDensities[0] == 1e10)
        #expect(maxRelativeError([lof.offset], [-22360679775.9979]) <= Self.tolerance)
        let expectedTraining: [Double] = [
            -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
            -22360679775.9979, -22360679775.9979, -1, -22360679775.9979,
        ]
        #expect(maxRelativeError(lof.trainingScores, expectedTraining) <= Self.tolerance)
        let scores = try lof.scoreSamples(FeatureMatrix(rows: [[1, 1], [4, 5], [2, 2], [10, 10]]))
        #expect(maxRelativeError(scores, [-1.0, -1.0, -11254433561.464945, -3.171840602157504]) <= Self.tolerance)
    }

    /// Fewer training points than n_neighbors: k = n - 1 (here 20 requested, 5 points, k = 4).
    @Test func fewerPointsThanNeighbors() throws {
        let lof = try fit([[0.5, 1.0], [1.5, -0.25], [3.0, 2.0], [-1.0, 0.0], [0.0, -2.5]], 20, .auto)
        #expect(lof.k == 4)
        #expect(lof.offset == -1.5)
        #expect(
            maxRelativeError(
                lof.trainingScores,
                [
                    -1.060775416969542, -1.1213402354818167,
                    -0.9243436148929619, -0.9925445420745436, -0.924343614892962,
                ]) <= Self.tolerance)
        let scores = try lof.scores(of: FeatureMatrix(rows: [[0, 0], [5, 5], [1.5, -0.25]]))
        #expect(
            maxRelativeError(
                scores.scoreSamples,
                [-0.9243436148929619, -1.4650063389739674, -0.9243436148929619]) <= Self.tolerance)
        #expect(scores.predict == [1, 1, 1])
    }

    static let oneDTrain: [Double] = [0.1, 0.4, 0.35, 1.2, 1.25, 1.3, 2.9, 3.0, 3.05, 7.5, 0.2, 1.1]
    static let oneDTest: [Double] = [0.3, 1.22, 5.0, -4.0, 3.0]
    static let oneDScores = [
        -0.9399509804138102, -0.9060606061136639, -1.1980198019684347,
        -15.85383986368071, -1.0,
    ]

    @Test func oneDimension() throws {
        let lof = try fit(Self.oneDTrain.map { [$0] }, 3, .fraction(0.25))
        #expect(maxRelativeError([lof.offset], [-3.1142280888327205]) <= Self.tolerance)
        let scores = try lof.scores(of: FeatureMatrix(rows: Self.oneDTest.map { [$0] }))
        #expect(maxRelativeError(scores.scoreSamples, Self.oneDScores) <= Self.tolerance)
        #expect(scores.predict == [1, 1, 1, -1, 1])
    }

    /// A constant feature adds exact zeros to every squared distance, so the scores equal
    /// the one-dimensional ones bit for bit.
    @Test func constantFeatureChangesNothing() throws {
        let lof = try fit(Self.oneDTrain.map { [$0, 42.0] }, 3, .fraction(0.25))
        let scores = try lof.scoreSamples(FeatureMatrix(rows: Self.oneDTest.map { [$0, 42.0] }))
        let plain = try fit(Self.oneDTrain.map { [$0] }, 3, .fraction(0.25))
        #expect(scores == (try plain.scoreSamples(FeatureMatrix(rows: Self.oneDTest.map { [$0] }))))
        #expect(lof.offset == plain.offset)
    }

    @Test func twoPointsAreEnoughOneIsNot() throws {
        let lof = try fit([[0, 0], [1, 1]], 20, .auto)
        #expect(lof.k == 1)
        #expect(throws: LOFError.tooFewTrainingPoints(count: 1)) { try fit([[0, 0]], 20, .auto) }
    }

    @Test func invalidInputsAreRefused() throws {
        #expect(throws: LOFError.invalidNeighborCount(0)) { try fit([[0], [1], [2]], 0, .auto) }
        #expect(throws: LOFError.invalidContamination(0.6)) { try fit([[0], [1], [2]], 1, .fraction(0.6)) }
        #expect(throws: LOFError.invalidContamination(0)) { try fit([[0], [1], [2]], 1, .fraction(0)) }
        #expect(throws: LOFError.raggedRows(row: 1, expected: 2, found: 1)) { try FeatureMatrix(rows: [[0, 1], [2]]) }
        #expect(throws: LOFError.nonFiniteValue(row: 0, column: 1)) { try FeatureMatrix(rows: [[0, .nan]]) }
        let lof = try fit([[0, 0], [1, 1], [2, 0]], 2, .auto)
        #expect(throws: LOFError.dimensionMismatch(expected: 2, found: 3)) {
            try lof.scoreSamples(FeatureMatrix(rows: [[0, 0, 0]]))
        }
        #expect(try lof.scoreSamples(FeatureMatrix(count: 0, dimension: 2, values: [])) == [])
    }

    /// NumPy's percentile: linear interpolation, from the upper value when the weight ≥ 0.5.
    @Test func percentileMatchesNumPy() {
        #expect(NumpyReductions.percentileLinear([3, 1, 2, 4], percent: 50) == 2.5)
        #expect(NumpyReductions.percentileLinear([1, 2, 3, 4, 5], percent: 0) == 1)
        #expect(NumpyReductions.percentileLinear([1, 2, 3, 4, 5], percent: 100) == 5)
        #expect(NumpyReductions.percentileLinear([10, 20], percent: 25) == 12.5)
    }
}

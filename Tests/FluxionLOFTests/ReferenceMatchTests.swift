import Foundation
import Testing

@testable import FluxionLOF

/// Proof against scikit-learn 1.9.1 (`shared/reference/lof`): 1500 training points in 5-D,
/// 300 test points, n_neighbors = 20, contamination = 0.02.
///
/// Tolerance: relative 1e-12, the README's "~1e-12" and 1000× tighter than the 1e-9.
/// Distances are summed in scikit-learn's order and means use NumPy's pairwise summation,
/// so the values are in fact bit-identical on this data; the tolerance only leaves room for
/// a platform `sqrt`/division that rounds differently (none does under IEEE 754).
@Suite struct ReferenceMatchTests {
    static let tolerance = 1e-12

    func fitted(parallel: Bool) throws -> (LocalOutlierFactor, FeatureMatrix) {
        let train = try NumericCSV.read(path: try ReferenceData.path("train.csv"))
        let test = try NumericCSV.read(path: try ReferenceData.path("test.csv"))
        #expect(train.count == 1500 && train.dimension == 5 && test.count == 300)
        let lof = try LocalOutlierFactor(
            fitting: train, parameters: LOFParameters(neighbors: 20, contamination: .fraction(0.02)),
            parallel: parallel)
        return (lof, test)
    }

    @Test(arguments: [false, true])
    func scoresMatchScikitLearn(parallel: Bool) throws {
        let (lof, test) = try fitted(parallel: parallel)
        let expected = try ReferenceData.expected()
        let scores = try lof.scores(of: test, parallel: parallel)
        #expect(lof.k == 20)
        #expect(abs(lof.offset - (try ReferenceData.offset())) <= Self.tolerance * 1.5)
        #expect(scores.scoreSamples.count == 300)
        #expect(maxRelativeError(scores.scoreSamples, expected.scores) <= Self.tolerance)
        #expect(maxRelativeError(scores.decisionFunction, expected.decisions) <= Self.tolerance)
        #expect(scores.predict == expected.predictions)
    }

    @Test func resultsAreBitIdentical() throws {
        let (lof, test) = try fitted(parallel: false)
        let expected = try ReferenceData.expected()
        let scores = try lof.scores(of: test)
        #expect(lof.offset == (try ReferenceData.offset()))
        #expect(scores.scoreSamples == expected.scores)
        #expect(scores.decisionFunction == expected.decisions)
    }

    @Test func convenienceMethodsAgree() throws {
        let (lof, test) = try fitted(parallel: false)
        let scores = try lof.scores(of: test)
        #expect(try lof.scoreSamples(test) == scores.scoreSamples)
        #expect(try lof.decisionFunction(test) == scores.decisionFunction)
        #expect(try lof.predict(test) == scores.predict)
    }
}

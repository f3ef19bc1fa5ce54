import Foundation
import Testing

@testable import FluxionLOF

/// Locates `shared/reference/lof` beside the project checkout (as CI lays it out).
enum ReferenceData {
    /// `<repo>/../shared/reference/lof`, found from this file's path.
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // FluxionLOFTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // repository root
        .deletingLastPathComponent()  // its parent
        .appendingPathComponent("shared/reference/lof")

    /// The path of a reference file; throws (a test failure, never a silent pass) when the
    /// folder is missing.
    static func path(_ name: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ReferenceDataMissing(path: url.path)
        }
        return url.path
    }

    /// `expected.csv`: score_samples, decision_function, predict per test row (header skipped).
    static func expected() throws -> (scores: [Double], decisions: [Double], predictions: [Int]) {
        let text = try String(contentsOfFile: try path("expected.csv"), encoding: .utf8)
        var lines = text.split(separator: "\n")
        #expect(lines.removeFirst() == "score_samples,decision_function,predict")
        let matrix = try NumericCSV.parse(lines.joined(separator: "\n"), source: "expected.csv")
        let rows = (0..<matrix.count).map(matrix.row)
        return (rows.map { $0[0] }, rows.map { $0[1] }, rows.map { Int($0[2]) })
    }

    /// `offset_` from `params.json`, parsed with `Double(String)` (correctly rounded):
    /// Foundation's JSON parser on Linux can be one ulp off.
    static func offset() throws -> Double {
        let text = try String(contentsOfFile: try path("params.json"), encoding: .utf8)
        let key = try #require(text.range(of: "\"offset_\":"))
        let number = text[key.upperBound...].prefix { !",}\n".contains($0) }
        return try #require(Double(number.trimmingCharacters(in: .whitespaces)))
    }
}

/// Thrown (after recording a failure) when the reference folder is not there: the tests
/// that need it fail rather than pass vacuously.
struct ReferenceDataMissing: Error, CustomStringConvertible {
    let path: String
    var description: String {
        "reference file missing: \(path) (shared/reference must sit beside the checkout)"
    }
}

/// Largest relative error `|a - b| / max(|b|, tiny)` over aligned arrays.
func maxRelativeError(_ actual: [Double], _ expected: [Double]) -> Double {
    zip(actual, expected).map { abs($0 - $1) / max(abs($1), 1e-300) }.max() ?? 0
}

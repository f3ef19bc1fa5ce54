import FluxionLOF
// bench-lof: fit a Local Outlier Factor on N points and score M points, print the wall time
// (best of R runs, single-threaded and on all cores) and still check the result.
//
//   bench-lof --train train.csv --test test.csv --expected sklearn.csv [--sklearn-seconds S]
//             [--neighbors 20] [--contamination auto|C] [--repeats 5]
//
// With --expected (scikit-learn's score_samples,decision_function,predict for the same data,
// as written by scripts/bench_lof_sklearn.py) every score must match to 1e-9 relative, and with
// --sklearn-seconds the speed-up over scikit-learn is printed. Without --train/--test it makes
// its own 10,000 + 10,000 points in 8-D and checks the scores of a sample of test points
// against a brute-force neighbour search. Exit status 1 on any mismatch.
import Foundation

/// Command-line options (a benchmark, so plain parsing rather than ArgumentParser).
struct Options {
    var train: String?, test: String?, expected: String?
    var sklearnSeconds: Double?
    var neighbors = 20
    var contamination = LOFParameters.Contamination.auto
    var repeats = 5

    init(_ arguments: [String]) {
        var it = arguments.dropFirst().makeIterator()
        while let flag = it.next() {
            guard let value = it.next() else { fail("missing value after \(flag)") }
            switch flag {
            case "--train": train = value
            case "--test": test = value
            case "--expected": expected = value
            case "--sklearn-seconds":
                sklearnSeconds = Double(value.trimmingCharacters(in: .whitespacesAndNewlines))
            case "--neighbors": neighbors = Int(value) ?? 20
            case "--contamination":
                contamination = value == "auto" ? .auto : .fraction(Double(value) ?? 0)
            case "--repeats": repeats = max(1, Int(value) ?? 5)
            default: fail("unknown option \(flag)")
            }
        }
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("bench-lof: \(message)\n".utf8))
    exit(1)
}

/// Deterministic data when no files are given: SplitMix64 + Box–Muller, Gaussian clusters.
func syntheticPoints(count: Int, dimension: Int, seed: UInt64) -> FeatureMatrix {
    var state = seed
    func uniform() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }
    var centerState = state
    swap(&state, &centerState)
    let centers = (0..<5 * dimension).map { _ in uniform() * 20 - 10 }
    swap(&state, &centerState)
    var values: [Double] = []
    for _ in 0..<count {
        let cluster = Int(uniform() * 5)
        for j in 0..<dimension {
            let gaussian = (-2 * log(1 - uniform())).squareRoot() * cos(2 * .pi * uniform())
            values.append(centers[cluster * dimension + j] + gaussian)
        }
    }
    return try! FeatureMatrix(count: count, dimension: dimension, values: values)
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

/// Best wall time of `repeats` runs of fit + score_samples, and the last scores.
func measure(
    _ train: FeatureMatrix, _ test: FeatureMatrix, _ parameters: LOFParameters,
    parallel: Bool, repeats: Int
) throws -> (seconds: Double, lof: LocalOutlierFactor, scores: LOFScores) {
    var best = Double.infinity
    var last: (LocalOutlierFactor, LOFScores)?
    for _ in 0..<repeats {
        let start = ContinuousClock.now
        let lof = try LocalOutlierFactor(fitting: train, parameters: parameters, parallel: parallel)
        let scores = try lof.scores(of: test, parallel: parallel)
        best = min(best, seconds(ContinuousClock.now - start))
        last = (lof, scores)
    }
    return (best, last!.0, last!.1)
}

/// Brute-force score of one point (reference for the self-check without scikit-learn data).
func bruteForceScore(_ lof: LocalOutlierFactor, _ point: [Double]) -> Double {
    let train = lof.training
    let d = train.dimension
    let nearest = (0..<train.count).map { i -> (Double, Int) in
        var sum = 0.0
        for j in 0..<d {
            let t = point[j] - train.values[i * d + j]
            sum += t * t
        }
        return (sum.squareRoot(), i)
    }.sorted { $0 < $1 }.prefix(lof.k)
    let reach = nearest.map { max($0.0, lof.kDistances[$0.1]) }
    let lrd = 1 / (reach.reduce(0, +) / Double(lof.k) + 1e-10)
    return -nearest.map { lof.localReachabilityDensities[$0.1] / lrd }.reduce(0, +) / Double(lof.k)
}

/// Compares with scikit-learn's output file; returns the largest relative error.
func checkAgainstScikitLearn(_ scores: LOFScores, expectedPath: String) throws -> Double {
    let text = try String(contentsOfFile: expectedPath, encoding: .utf8)
    let body = text.split(separator: "\n").dropFirst().joined(separator: "\n")
    let expected = try NumericCSV.parse(body, source: expectedPath)
    guard expected.count == scores.predict.count else {
        fail("\(expectedPath): \(expected.count) rows, expected \(scores.predict.count)")
    }
    var worst = 0.0
    var predictMismatches = 0
    for i in 0..<expected.count {
        let row = expected.row(i)
        worst = max(worst, abs(scores.scoreSamples[i] - row[0]) / abs(row[0]))
        worst = max(worst, abs(scores.decisionFunction[i] - row[1]) / max(abs(row[1]), 1e-300))
        if scores.predict[i] != Int(row[2]) { predictMismatches += 1 }
    }
    print("check vs scikit-learn: max relative error \(worst), predict mismatches \(predictMismatches)")
    guard worst <= 1e-9, predictMismatches == 0 else { fail("scores differ from scikit-learn") }
    return worst
}

let options = Options(CommandLine.arguments)
let parameters = LOFParameters(neighbors: options.neighbors, contamination: options.contamination)
do {
    let train: FeatureMatrix, test: FeatureMatrix
    if let trainPath = options.train, let testPath = options.test {
        train = try NumericCSV.read(path: trainPath)
        test = try NumericCSV.read(path: testPath)
    } else {
        train = syntheticPoints(count: 10_000, dimension: 8, seed: 1)
        test = syntheticPoints(count: 10_000, dimension: 8, seed: 2)
    }
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let single = try measure(train, test, parameters, parallel: false, repeats: options.repeats)
    let multi = try measure(train, test, parameters, parallel: true, repeats: options.repeats)
    guard single.scores == multi.scores else { fail("parallel scores differ from single-threaded") }
    print(
        "fluxion LOF: fit \(train.count) + score \(test.count) in \(train.dimension)-D, "
            + "k=\(single.lof.k): best of \(options.repeats) = "
            + "\(String(format: "%.4f", single.seconds)) s (1 thread), "
            + "\(String(format: "%.4f", multi.seconds)) s (\(cores) cores)")

    if let expectedPath = options.expected {
        _ = try checkAgainstScikitLearn(single.scores, expectedPath: expectedPath)
    } else {
        var worst = 0.0
        for i in stride(from: 0, to: test.count, by: max(1, test.count / 200)) {
            let reference = bruteForceScore(single.lof, test.row(i))
            worst = max(worst, abs(single.scores.scoreSamples[i] - reference) / abs(reference))
        }
        print("check vs brute force (200 points): max relative error \(worst)")
        guard worst <= 1e-9 else { fail("KD-tree scores differ from brute force") }
    }
    if let sklearn = options.sklearnSeconds {
        print(
            "scikit-learn: \(String(format: "%.4f", sklearn)) s; speed-up "
                + "\(String(format: "%.1f", sklearn / single.seconds))x (1 thread), "
                + "\(String(format: "%.1f", sklearn / multi.seconds))x (\(cores) cores)")
    }
} catch {
    fail("\(error)")
}

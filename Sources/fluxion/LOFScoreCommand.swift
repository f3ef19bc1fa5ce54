import ArgumentParser
import FluxionLOF
import Foundation

/// `fluxion lof score`: fit on one headerless CSV, score another, print
/// `score_samples,decision_function,predict` per test row.
struct LOFScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Fit LOF on --train and print score_samples, decision_function and predict for --test.",
        discussion: """
            Both files are headerless numeric CSV, one point per line, all rows the same width. \
            Output is CSV on standard output with the header \
            score_samples,decision_function,predict and one row per test point; numbers are \
            printed with full round-trip precision.
            """)

    @Option(name: .long, help: "Training points: headerless numeric CSV.")
    var train: String

    @Option(name: .long, help: "Points to score: headerless numeric CSV with the training width.")
    var test: String

    @Option(name: .long, help: "n_neighbors: neighbourhood size (capped at training rows - 1).")
    var neighbors: Int = 20

    @Option(name: .long, help: "contamination: 'auto' (offset -1.5) or a fraction in (0, 0.5].")
    var contamination: String = "auto"

    @Flag(name: .long, help: "Run the neighbour search on one thread instead of all cores.")
    var serial = false

    func validate() throws {
        guard neighbors >= 1 else {
            throw ValidationError("--neighbors must be at least 1, got \(neighbors)")
        }
        _ = try parsedContamination()
    }

    /// `--contamination` as a parameter value.
    func parsedContamination() throws -> LOFParameters.Contamination {
        if contamination == "auto" { return .auto }
        guard let value = Double(contamination), value > 0, value <= 0.5 else {
            throw ValidationError("--contamination must be 'auto' or a number in (0, 0.5], got '\(contamination)'")
        }
        return .fraction(value)
    }

    func run() throws {
        do {
            let trainPoints = try NumericCSV.read(path: train)
            let testPoints = try NumericCSV.read(path: test)
            guard testPoints.dimension == trainPoints.dimension else {
                throw CLIError("\(test): \(testPoints.dimension) columns, but \(train) has \(trainPoints.dimension)")
            }
            let parameters = LOFParameters(neighbors: neighbors, contamination: try parsedContamination())
            let lof = try LocalOutlierFactor(fitting: trainPoints, parameters: parameters, parallel: !serial)
            let scores = try lof.scores(of: testPoints, parallel: !serial)
            var output = "score_samples,decision_function,predict\n"
            output.reserveCapacity(64 * (scores.predict.count + 1))
            for i in scores.predict.indices {
                // `description` is the shortest text that reads back as the same Double.
                output += "\(scores.scoreSamples[i]),\(scores.decisionFunction[i]),\(scores.predict[i])\n"
            }
            FileHandle.standardOutput.write(Data(output.utf8))
        } catch let error as ValidationError {
            throw error
        } catch {
            FileHandle.standardError.write(Data("fluxion lof score: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}

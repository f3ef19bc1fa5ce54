import ArgumentParser

/// `fluxion lof`: offline Local Outlier Factor tools (scikit-learn compatible).
struct LOFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lof",
        abstract: "Local Outlier Factor, identical to scikit-learn's LocalOutlierFactor(novelty=True).",
        subcommands: [LOFScoreCommand.self])
}

import ArgumentParser

@main
struct FluxionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fluxion",
        abstract: "Fluxion: pipeline leak-detection digital twin — client and offline tools.",
        subcommands: [
            LOFCommand.self,
        ])
}

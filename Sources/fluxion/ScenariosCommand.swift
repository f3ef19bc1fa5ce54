import ArgumentParser
import FluxionScenario

/// `fluxion scenarios`: lists the embedded scenarios, or prints one as YAML.
struct ScenariosCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenarios",
        abstract: "List the embedded scenarios, or print one as YAML (a template for your own).")

    @Option(help: "Print this embedded scenario's YAML instead of the list.")
    var yaml: String?

    mutating func validate() throws {
        if let name = yaml, EmbeddedScenarios.yaml(named: name) == nil {
            throw ValidationError(
                "no embedded scenario named '\(name)' (have: \(EmbeddedScenarios.all.map(\.name).joined(separator: ", ")))"
            )
        }
    }

    func run() throws {
        if let name = yaml {
            print(EmbeddedScenarios.yaml(named: name)!, terminator: "")
            return
        }
        let width = EmbeddedScenarios.all.map(\.name.count).max() ?? 0
        for s in EmbeddedScenarios.all {
            print(s.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + s.summary)
        }
    }
}

import FluxionTwin
import Foundation

/// Scenarios compiled into the program, as YAML text in Swift string literals.
public enum EmbeddedScenarios {
    /// The scenario used when none is named: the Absheron gas network.
    public static let defaultName = "absheron"

    /// Name, one-line summary and YAML of every embedded scenario.
    public static let all: [(name: String, summary: String, yaml: String)] = [
        (
            "absheron",
            "Natural gas: supply, trunk line and the Sumqayit, Mardakan and Turkan metering stations (default)",
            absheron
        ),
        (
            "tsnet-valve-closure", "Water: TSNet's reservoir-pipe-valve reference line, valve closing at t = 1 s",
            tsnetValveClosure
        ),
        ("water-main-leak", "Water: 6 km main with a branch and a 1 % leak from 20 s to 80 s", waterMainLeak),
    ]

    /// YAML of an embedded scenario.
    public static func yaml(named name: String) -> String? {
        all.first { $0.name == name }?.yaml
    }

    /// Loads an embedded scenario.
    public static func load(_ name: String) throws(ScenarioError) -> Scenario {
        guard let text = yaml(named: name) else {
            throw ScenarioError(
                file: name,
                message: "no embedded scenario named '\(name)' (have: \(all.map(\.name).joined(separator: ", ")))")
        }
        return try ScenarioLoader.load(yaml: text, file: "embedded:\(name)")
    }
}

extension ScenarioLoader {
    /// Loads a scenario from a file path, or an embedded scenario by name.
    public static func load(fileOrName: String) throws(ScenarioError) -> Scenario {
        if EmbeddedScenarios.yaml(named: fileOrName) != nil && !FileManager.default.fileExists(atPath: fileOrName) {
            return try EmbeddedScenarios.load(fileOrName)
        }
        let text: String
        do {
            text = try String(contentsOfFile: fileOrName, encoding: .utf8)
        } catch {
            throw ScenarioError(
                file: fileOrName,
                message:
                    "cannot read the file and no embedded scenario has this name (have: \(EmbeddedScenarios.all.map(\.name).joined(separator: ", ")))"
            )
        }
        return try load(yaml: text, file: fileOrName)
    }
}

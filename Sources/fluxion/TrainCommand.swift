import ArgumentParser
import FluxionDetectorKit
import FluxionDetectors
import FluxionLOFDetector
import FluxionScenario
import FluxionTwin
import Foundation

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train a detector's model on simulated normal operation.",
        subcommands: [TrainLOFCommand.self, TrainPINNCommand.self])
}

struct TrainLOFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lof",
        abstract: "Train the LOF detector on normal operation of a scenario and write its model file.",
        discussion: """
            Runs the scenario offline (its scripted leaks and autopilot removed), collects the LOF
            features (docs/LOF.md) — one vector per feature window, so that training points are not
            near-copies of each other — fits the model and writes it. Use it with
            `fluxion detectors load lof --config '{"model": "FILE"}'`.
            """)

    @Option(help: "Scenario: an embedded name or a scenario file.") var scenario = EmbeddedScenarios.defaultName
    @Option(help: "Simulated seconds of normal operation to learn from.") var duration: Double = 86_400
    @Option(help: "Seed of the sensor noise.") var seed: UInt64 = 1
    @Option(help: "Where to write the model file.") var out: String
    @Option(help: "Feature window, simulated seconds.") var window: Double = 30
    @Option(help: "LOF n_neighbors.") var neighbors: Int = 20
    @Option(help: "Fraction of training points taken as outliers (sets the decision threshold).") var contamination:
        Double = 0.01

    func validate() throws {
        guard duration > 0 else { throw ValidationError("--duration must be positive") }
        guard window > 0 else { throw ValidationError("--window must be positive") }
        guard neighbors >= 1 else { throw ValidationError("--neighbors must be at least 1") }
        guard contamination > 0, contamination <= 0.5 else {
            throw ValidationError("--contamination must be in (0, 0.5]")
        }
    }

    func run() throws {
        var loaded: Scenario
        do { loaded = try ScenarioLoader.load(fileOrName: scenario) } catch { throw CLIError("\(error)") }
        loaded.leaks = []
        loaded.autopilot.enabled = false
        var sim: Simulation
        do { sim = try Simulation(scenario: loaded, seed: seed) } catch { throw CLIError("\(scenario): \(error)") }
        let network = NetworkDescription(sim)
        var extractor = LOFFeatureExtractor(network: network, windowS: window)
        let ticks = TickBuilder(network)
        var vectors: [[Double]] = []
        var outflow = 0.0
        var sampler = TrainingSampler(intervalS: window)
        var progress = ProgressLine(total: duration, label: "training")
        while sim.timeS + 0.5 * sim.timeStepS < duration {
            let readings = sim.step()
            guard let first = readings.first else { continue }
            if let v = extractor.observe(ticks.tick(simTimeS: first.simTimeS, readings: readings)),
                sampler.take(atS: first.simTimeS)
            {
                vectors.append(v)
                outflow += extractor.lastOutflow
            }
            progress.update(sim.timeS)
        }
        progress.finish()
        let model: LOFDetectorModel
        do {
            model = try LOFDetectorModel.train(
                vectors: vectors, features: extractor.featureNames, scenario: loaded.name, windowS: window,
                nominalOutflow: vectors.isEmpty ? 0 : outflow / Double(vectors.count),
                neighbors: neighbors, contamination: contamination)
            try model.write(to: out)
        } catch { throw CLIError("\(error)") }
        print(
            "wrote \(out): \(vectors.count) feature vectors × \(extractor.dimension) features (\(extractor.featureNames.joined(separator: ", "))), scenario \(loaded.name)"
        )
    }
}

/// A one-line progress indicator on stderr, redrawn at most every 1 %.
struct ProgressLine {
    let total: Double
    let label: String
    private var shown = -1

    init(total: Double, label: String) {
        self.total = total
        self.label = label
    }

    mutating func update(_ value: Double) {
        let percent = Int(min(value / total, 1) * 100)
        guard percent != shown else { return }
        shown = percent
        FileHandle.standardError.write(Data("\r\(label) \(percent) %".utf8))
    }

    func finish() {
        FileHandle.standardError.write(Data("\r\(label) done   \n".utf8))
    }
}

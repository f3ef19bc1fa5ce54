import ArgumentParser
import FluxionDetectorKit
import FluxionDetectors
import FluxionPINN
import FluxionScenario
import FluxionTwin
import Foundation

/// `fluxion train pinn`: inputs from a dataset (or a fresh one), the network trained by the
/// JAX trainer (Plugins/PINN/trainer), the model file written (docs/PINN.md).
struct TrainPINNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pinn",
        abstract: "Train the PINN detector on labelled leak cases and write its model file.",
        discussion: """
            Forms the detector's inputs (docs/PINN.md) from every case of a dataset made by \
            `fluxion generate` (or generates one: --cases), splits the cases into training and \
            validation, trains the network with its data and physics losses (Python, JAX and optax \
            in .venv-pinn; `make setup` installs them) and writes the model. Use it with \
            `fluxion detectors load pinn --config '{"model": "NAME"}'`.
            """)

    @Option(help: "Scenario: an embedded name or a scenario file (default: the dataset's).") var scenario: String?
    @Option(help: "A dataset directory from `fluxion generate` (default: generate --cases cases now).") var data:
        String?
    @Option(help: "Cases to generate when no --data is given.") var cases = 200
    @Option(help: "Seed of the generated cases and of the training.") var seed: UInt64 = 1
    @Option(help: "Where to write the model file.") var out: String
    @Option(help: "Training epochs at most (early stopping ends sooner).") var epochs = 300
    @Option(help: "Width of the two hidden layers.") var hidden = 64
    @Option(help: "Weight of the physics terms in the loss (0: data only, the ablation).") var physicsWeight = 1.0
    @Option(help: "Share of the cases kept for validation.") var validation = 0.2
    @Option(help: "Keep one input vector in this many blocks (consecutive ones nearly repeat).") var stride = 4
    @Option(help: "Wall-clock limit of the training, s.") var maxSeconds = 1800.0
    @Option(help: "Python with jax and optax (default: .venv-pinn/bin/python of the source tree).") var python: String?
    @Flag(help: "Do not draw the progress bar.") var noProgress = false

    func validate() throws {
        guard (1...100_000).contains(cases) else { throw ValidationError("--cases must be in 1…100000, got \(cases)") }
        guard (1...100_000).contains(epochs) else {
            throw ValidationError("--epochs must be in 1…100000, got \(epochs)")
        }
        guard (4...1024).contains(hidden) else { throw ValidationError("--hidden must be in 4…1024, got \(hidden)") }
        guard physicsWeight.isFinite, (0...1000).contains(physicsWeight) else {
            throw ValidationError("--physics-weight must be in 0…1000, got \(physicsWeight)")
        }
        guard validation.isFinite, validation > 0, validation < 1 else {
            throw ValidationError("--validation must be in (0, 1), got \(validation)")
        }
        guard (1...10_000).contains(stride) else { throw ValidationError("--stride must be in 1…10000, got \(stride)") }
        guard maxSeconds.isFinite, maxSeconds > 0 else { throw ValidationError("--max-seconds must be positive") }
    }

    func run() throws {
        let root = sourceRoot()
        let python = python ?? root.map { $0 + "/.venv-pinn/bin/python" } ?? "python3"
        guard let trainer = root.map({ $0 + "/Plugins/PINN/trainer/train.py" }),
            FileManager.default.fileExists(atPath: trainer)
        else { throw CLIError("the PINN trainer (Plugins/PINN/trainer/train.py) is not found beside this build") }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("fluxion-pinn-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: work) }
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)

        let directory: String
        if let data {
            directory = data
        } else {
            directory = work + "/data"
            let status = runSelf(
                [
                    "generate", "--scenario", scenario ?? EmbeddedScenarios.defaultName, "--cases", "\(cases)",
                    "--seed", "\(seed)", "--out", directory,
                ] + (noProgress ? ["--no-progress"] : []))
            guard status == 0 else { throw CLIError("generating the training cases failed") }
        }
        let dataset: Dataset
        do { dataset = try Dataset(directory: directory) } catch { throw CLIError("\(error)") }
        let (loaded, text) = try GenerateCommand.scenario(scenario ?? dataset.manifest.scenario)
        let sha = sha256Hex(text)
        guard sha == dataset.manifest.scenarioSHA256 else {
            throw CLIError(
                "\(directory): made from scenario \(dataset.manifest.scenario) (sha256 \(dataset.manifest.scenarioSHA256.prefix(12))…), not from \(scenario ?? dataset.manifest.scenario) (\(sha.prefix(12))…)"
            )
        }
        let generator = try DatasetGenerator(scenario: loaded, sampleS: dataset.manifest.sampleS, windowS: 1)
        let network = generator.network
        let config = PINNFeatures.Config.defaults(for: network, sampleS: dataset.manifest.sampleS)
        let set = try PINNTrainingSet(dataset: dataset, network: network, config: config, stride: stride)
        try set.write(to: work + "/train")

        let weights = work + "/weights.json"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments =
            [
                trainer, "--in", work + "/train", "--out", weights, "--seed", "\(seed)", "--epochs", "\(epochs)",
                "--hidden", "\(hidden)", "--physics-weight", "\(physicsWeight)", "--validation", "\(validation)",
                "--max-seconds", "\(maxSeconds)",
            ] + (noProgress ? ["--no-progress"] : [])
        do { try p.run() } catch {
            throw CLIError("cannot run \(python) (\(error.localizedDescription)); `make setup` makes .venv-pinn")
        }
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw CLIError("the trainer failed (exit \(p.terminationStatus))") }

        struct Trained: Decodable {
            var layers: [PINNModel.Layer]
            var mean: [Double]
            var std: [Double]
            var size_scale: Double
            var age_scale_s: Double
            var checks: [Check]
            var training: [String: String]
        }
        struct Check: Decodable {
            var input: [Double]
            var output: [Double]
        }
        let trained: Trained
        do {
            trained = try JSONDecoder().decode(Trained.self, from: Data(contentsOf: URL(fileURLWithPath: weights)))
        } catch {
            throw CLIError("the trainer's output does not decode: \(error)")
        }
        let line = network.lineCoordinate()
        var training = trained.training
        training["dataset"] = directory
        training["dataset_cases"] = "\(dataset.manifest.cases.count)"
        training["dataset_seed"] = "\(dataset.manifest.seed)"
        let model = PINNModel(
            format: PINNModel.format, formatVersion: PINNModel.formatVersion, scenario: loaded.name,
            scenarioSHA256: sha, sensors: network.sensors.map(\.id), linePipes: line.pipes.map(\.id),
            lineLengthM: line.lengthM, features: config, mean: trained.mean, std: trained.std, layers: trained.layers,
            sizeScale: trained.size_scale, ageScaleS: trained.age_scale_s, training: training)
        do { try model.validate(path: out) } catch { throw CLIError("the trained model is not valid: \(error)") }
        // The model file's forward pass (the plugin's) must give what JAX gave for the same
        // inputs: float32 training, float64 here; 1e-3 absolute covers the rounding of both.
        guard !trained.checks.isEmpty else { throw CLIError("the trainer gave no check vectors") }
        for (k, check) in trained.checks.enumerated() {
            let o = model.evaluate(check.input)
            let swift = [o.probability, o.position, o.sizeFraction / model.sizeScale, o.ageS / model.ageScaleS]
            let jax = [
                check.output[0], check.output[1], check.output[2] / model.sizeScale, check.output[3] / model.ageScaleS,
            ]
            guard zip(swift, jax).allSatisfy({ abs($0 - $1) <= 1e-3 }) else {
                throw CLIError("check \(k): the model file answers \(swift), the trainer \(jax); not written")
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let temporary = out + ".partial-\(getpid())"
        do {
            try encoder.encode(model).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, out) == 0 else { throw CLIError("\(out): \(String(cString: strerror(errno)))") }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw CLIError("\(out): \(error)")
        }
        print(
            "wrote \(out): \(config.dimension) inputs, layers \(trained.layers.map { "\($0.outputs)" }.joined(separator: "-")), \(training["summary"] ?? "")"
        )
    }

    /// The source tree this build belongs to (…/.build/<config>/fluxion → …), if it has the trainer.
    private func sourceRoot() -> String? {
        var dir = URL(fileURLWithPath: executableDirectory())
        for _ in 0..<4 {
            if FileManager.default.fileExists(atPath: dir.path + "/Plugins/PINN/trainer/train.py") { return dir.path }
            dir.deleteLastPathComponent()
        }
        let cwd = FileManager.default.currentDirectoryPath
        return FileManager.default.fileExists(atPath: cwd + "/Plugins/PINN/trainer/train.py") ? cwd : nil
    }

    private func runSelf(_ arguments: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        p.arguments = arguments
        guard (try? p.run()) != nil else { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }
}

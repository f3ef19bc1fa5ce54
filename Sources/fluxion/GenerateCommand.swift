import ArgumentParser
import FluxionAccess
import FluxionDetectors
import FluxionScenario
import FluxionTwin
import Foundation

/// `fluxion generate`: a labelled dataset of simulated leaks for training detectors.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Simulate leak cases and write their sensor series with the truth (a training dataset).",
        discussion: """
            Each case runs the scenario from t = 0 with its own sensor-noise seed and records a window \
            around its leaks: every sensor on a regular grid, which leaks are open and their outflow. \
            Leaks are drawn as `fluxion evaluate` draws them. The directory holds NumPy arrays and \
            manifest.json (docs/DATASETS.md); the same seed gives the same bytes for any --jobs.
            """)

    @Option(help: "Scenario: an embedded name or a scenario file.")
    var scenario = EmbeddedScenarios.defaultName
    @Option(help: "Number of cases (1…100000).")
    var cases = 100
    @Option(help: "Seed of the case draw and of each case's sensor noise.")
    var seed: UInt64 = 1
    @Option(help: "Output directory (must not exist, or be empty).")
    var out: String
    @Option(help: "Earliest first-leak onset, s (default: gas 7200, liquid 300).")
    var minStart: Double?
    @Option(help: "Latest first-leak onset, s (default: gas 79200, liquid 900).")
    var maxStart: Double?
    @Option(help: "Recorded time before the first onset, s (default: gas 3600, liquid 60).")
    var before: Double?
    @Option(help: "Recorded time after the first onset, s (default: gas 3600, liquid 120).")
    var after: Double?
    @Option(help: "Sample interval of the recorded grid, s (default: the fastest sensor's period).")
    var sample: Double?
    @Option(help: "Leaks per case (1…10); the later ones open within the first half of the time after the first.")
    var leaksPerCase = 1
    @Option(help: "Share of cases with no leak at all (0…1): normal operation at the same times of day.")
    var normalFraction = 0.2
    @Option(help: "Smallest leak, fraction of the pipe's nominal flow.")
    var minSize = 0.005
    @Option(help: "Largest leak, fraction of the pipe's nominal flow.")
    var maxSize = 0.05
    @Option(help: "Cases run at once (default: the number of cores); the output does not depend on it.")
    var jobs: Int?
    @Flag(help: "Do not draw the progress bar on standard error.")
    var noProgress = false

    func validate() throws {
        guard (1...100_000).contains(cases) else { throw ValidationError("--cases must be in 1…100000, got \(cases)") }
        if let jobs, !(1...1024).contains(jobs) { throw ValidationError("--jobs must be in 1…1024, got \(jobs)") }
        guard (1...10).contains(leaksPerCase) else {
            throw ValidationError("--leaks-per-case must be in 1…10, got \(leaksPerCase)")
        }
        guard normalFraction.isFinite, (0...1).contains(normalFraction) else {
            throw ValidationError("--normal-fraction must be in 0…1, got \(normalFraction)")
        }
        guard minSize.isFinite, maxSize.isFinite, minSize > 0, minSize <= maxSize, maxSize <= 1 else {
            throw ValidationError(
                "--min-size and --max-size must satisfy 0 < min ≤ max ≤ 1, got \(minSize), \(maxSize)")
        }
        for (name, v) in [("--min-start", minStart), ("--max-start", maxStart), ("--before", before)] {
            if let v, !(v.isFinite && v >= 0 && v <= 1e7) {
                throw ValidationError("\(name) must be in 0…1e7 s, got \(v)")
            }
        }
        for (name, v) in [("--after", after), ("--sample", sample)] {
            if let v, !(v.isFinite && v > 0 && v <= 1e7) {
                throw ValidationError("\(name) must be in (0, 1e7] s, got \(v)")
            }
        }
    }

    func run() throws {
        let (loaded, text) = try Self.scenario(scenario)
        let gas = loaded.network.fluid.isGas
        let before = before ?? (gas ? 3600 : 60), after = after ?? (gas ? 3600 : 120)
        let lo = minStart ?? max(before, gas ? 7200 : 300), hi = maxStart ?? (gas ? 79_200 : 900)
        guard lo <= hi else { throw CLIError("--min-start (\(lo) s) must be ≤ --max-start (\(hi) s)") }
        guard lo >= before else {
            throw CLIError("--min-start (\(lo) s) must be ≥ --before (\(before) s): every window starts at t ≥ 0")
        }
        let fastest = loaded.sensors.map(\.sampleRateHz).max() ?? 1
        let step = try Simulation(scenario: loaded, seed: 0).timeStepS
        let sampleS = sample ?? max(1 / fastest, step)
        guard sampleS >= step else {
            throw CLIError("--sample (\(sampleS) s) must be ≥ the solver's time step (\(step) s)")
        }
        guard (before + after) / sampleS <= 10_000_000 else {
            throw CLIError("--before + --after over --sample gives more than 10,000,000 samples per case")
        }
        let generator = try DatasetGenerator(scenario: loaded, sampleS: sampleS, windowS: before + after)
        let bytes = Double(cases * generator.samples) * Double(generator.network.sensors.count * 4 + 13)
        guard bytes <= 64 * 1_073_741_824 else {
            throw CLIError(
                String(
                    format: "the dataset would take %.1f GiB (limit 64 GiB): fewer --cases or a wider --sample",
                    bytes / 1_073_741_824))
        }
        let plan = DatasetPlan(
            scenario: loaded, count: cases, seed: seed, sizeRange: minSize...maxSize, startRangeS: lo...hi,
            beforeS: before, afterS: after, maxRampS: gas ? 60 : 2, leaksPerCase: leaksPerCase,
            normalFraction: normalFraction)
        let sha = sha256Hex(text)
        let options: [String: String] = [
            "min_start_s": "\(lo)", "max_start_s": "\(hi)", "before_s": "\(before)", "after_s": "\(after)",
            "leaks_per_case": "\(leaksPerCase)", "normal_fraction": "\(normalFraction)",
            "min_size": "\(minSize)", "max_size": "\(maxSize)", "max_ramp_s": "\(gas ? 60 : 2)",
        ]
        let writer: DatasetWriter
        do {
            writer = try DatasetWriter(
                directory: out, count: cases, generator: generator, scenarioSHA256: sha, seed: seed, options: options)
        } catch { throw CLIError("\(error)") }
        let started = Date(), draw = !noProgress, done = Counter()
        if draw { progress(0, cases, started) }
        do {
            try DatasetRun.run(plan.cases, jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount) { c in
                try writer.write(try generator.run(c), seed: c.seed, windowStartS: c.windowStartS)
                if draw { progress(done.increment(), cases, started) }
            }
            try writer.finish()
        } catch {
            writer.discard()
            if draw { FileHandle.standardError.write(Data("\n".utf8)) }
            throw CLIError("\(error)")
        }
        if draw { FileHandle.standardError.write(Data("\n".utf8)) }
        let size = String(format: "%.1f MB", bytes / 1e6)
        print(
            "wrote \(cases) cases × \(generator.samples) samples × \(generator.network.sensors.count) sensors to \(out) (\(size))"
        )
    }

    /// The scenario and the text it was read from (for its hash).
    static func scenario(_ fileOrName: String) throws -> (Scenario, String) {
        let loaded: Scenario
        do { loaded = try ScenarioLoader.load(fileOrName: fileOrName) } catch {
            throw CLIError("scenario \(fileOrName): \(error)")
        }
        let text =
            FileManager.default.fileExists(atPath: fileOrName)
            ? ((try? String(contentsOfFile: fileOrName, encoding: .utf8)) ?? "")
            : (EmbeddedScenarios.yaml(named: fileOrName) ?? "")
        return (loaded, text)
    }
}

/// SHA-256 of `text`, in hex.
func sha256Hex(_ text: String) -> String {
    AccessToken.hash(text).map { String(format: "%02x", $0) }.joined()
}

/// A thread-safe count of finished cases.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func increment() -> Int {
        lock.withLock {
            n += 1; return n
        }
    }
}

import ArgumentParser
import FluxionDetectors
import FluxionScenario
import FluxionTwin
import Foundation

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Run random leak cases offline through detector plugins and report how they do.",
        discussion: """
            No server: the twin runs in-process, faster than real time, and the plugins are loaded \
            from --plugins (default: this executable's directory, where `swift build` puts lib*.so). \
            Each case: a fresh simulation (seed derived from --seed), normal operation, then one leak \
            on a random pipe of the scenario's lines (position uniform, size uniform in 0.5–5 % of \
            the pipe's nominal flow). Alarm rule: probability ≥ --alarm-probability for \
            --sustain seconds. Deterministic for a seed. docs/DETECTION.md has the figures.
            Example: fluxion evaluate --detectors threshold --scenario absheron --scenarios 40 --seed 1
            """)

    @Option(help: "Comma-separated plugin names (e.g. threshold or FluxionThreshold,FluxionLof).")
    var detectors: String = "threshold"
    @Option(
        help: ArgumentHelp(
            "Detector configuration: JSON for every detector, or NAME=JSON for the one named NAME in --detectors (repeatable; default: their defaults).",
            valueName: "[NAME=]JSON"))
    var config: [String] = []
    @Option(help: "Scenario: an embedded name or a scenario file.")
    var scenario = EmbeddedScenarios.defaultName
    @Option(name: .customLong("scenarios"), help: "Number of leak cases.")
    var count = 20
    @Option(help: "Seed of the case draw and of each case's sensor noise.")
    var seed: UInt64 = 1
    @Option(help: "Plugin directory (default: the directory of this executable).")
    var plugins: String?
    @Option(help: "Earliest leak start, s (default: gas 7200, liquid 300). Before it: learning and normal operation.")
    var minStart: Double?
    @Option(help: "Latest leak start, s (default: gas 79200, liquid 900).")
    var maxStart: Double?
    @Option(help: "Observation after the leak starts, s (default: gas 7200, liquid 120).")
    var observe: Double?
    @Option(help: "Alarm rule: probability threshold.")
    var alarmProbability = 0.5
    @Option(help: "Alarm rule: seconds the probability must stay above the threshold (default: gas 120, liquid 2).")
    var sustain: Double?
    @Option(
        help:
            "Cases run at once, each on its own thread (default: the number of cores); the results do not depend on it."
    )
    var jobs: Int?
    @Option(
        help: ArgumentHelp(
            "A sensor failed for the whole of every case (repeatable): dropout (readings invalid) or freeze (its starting value repeats).",
            valueName: "ID=dropout|freeze"))
    var sensorFault: [String] = []
    @Option(
        help: ArgumentHelp(
            "Multiply the noise of every sensor of a quantity (pressure, flow, …) by a factor, e.g. pressure=3 (repeatable).",
            valueName: "QUANTITY=FACTOR"))
    var noiseScale: [String] = []
    @Flag(help: "Print the report as JSON.")
    var json = false
    @Flag(help: "Print every case and what each detector did (stdout, before the report).")
    var verbose = false

    func validate() throws {
        guard count >= 1 else { throw ValidationError("--scenarios must be at least 1") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        guard (0...1).contains(alarmProbability) else { throw ValidationError("--alarm-probability must be in 0…1") }
        if let minStart, let maxStart, minStart > maxStart {
            throw ValidationError("--min-start must be ≤ --max-start")
        }
        guard !detectors.split(separator: ",").isEmpty else { throw ValidationError("--detectors must name a plugin") }
        _ = try configurations()
        _ = try instrumentConditions()
    }

    /// The failed sensors and noise factors of --sensor-fault and --noise-scale.
    func instrumentConditions() throws -> InstrumentConditions {
        var conditions = InstrumentConditions()
        for f in sensorFault {
            let parts = f.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let fault = SensorFault(rawValue: parts[1]), fault != .none
            else {
                throw ValidationError("--sensor-fault \(f): expected ID=dropout or ID=freeze")
            }
            conditions.faults[parts[0]] = fault
        }
        for n in noiseScale {
            let parts = n.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let q = Quantity(name: parts[0]) else {
                throw ValidationError(
                    "--noise-scale \(n): expected QUANTITY=FACTOR with QUANTITY one of \(Quantity.allCases.map(\.name).joined(separator: ", "))"
                )
            }
            guard let k = Double(parts[1]), k.isFinite, (0...InstrumentConditions.maxNoiseScale).contains(k) else {
                throw ValidationError(
                    "--noise-scale \(n): the factor must be a number in 0…\(Int(InstrumentConditions.maxNoiseScale))")
            }
            conditions.noiseScale[q] = k
        }
        return conditions
    }

    /// The configuration JSON of each detector in --detectors, from the --config options.
    func configurations() throws -> [String] {
        let names = detectors.split(separator: ",").map(String.init)
        var shared = ""
        var named: [String: String] = [:]
        for c in config {
            let trimmed = c.drop { $0 == " " }
            if trimmed.isEmpty || trimmed.first == "{" {
                shared = c
                continue
            }
            guard let eq = c.firstIndex(of: "=") else {
                throw ValidationError("--config \(c): expected JSON ({…}) or NAME=JSON")
            }
            let name = String(c[..<eq])
            guard names.contains(name) else {
                throw ValidationError(
                    "--config \(c): \(name) is not in --detectors (\(names.joined(separator: ",")))")
            }
            named[name] = String(c[c.index(after: eq)...])
        }
        return names.map { named[$0] ?? shared }
    }

    func run() throws {
        let loaded: Scenario
        do { loaded = try ScenarioLoader.load(fileOrName: scenario) } catch {
            throw CLIError("scenario \(scenario): \(error)")
        }
        let gas = loaded.network.fluid.isGas
        let instruments = try instrumentConditions()
        do { try instruments.validate(against: loaded) } catch {
            throw CLIError("--sensor-fault/--noise-scale: \(error) (scenario \(scenario))")
        }
        let rule = AlarmRule(probability: alarmProbability, sustainS: sustain ?? (gas ? 120 : 2))
        let lo = minStart ?? (gas ? 7200 : 300), hi = maxStart ?? (gas ? 79_200 : 900)
        let plan = EvaluationPlan(
            scenario: loaded, count: count, seed: seed, startRangeS: lo...hi,
            observeS: observe ?? (gas ? 7200 : 120), maxRampS: gas ? 60 : 2)
        let shipped = ShippedModels.directory(executableDirectory: executableDirectory())
        let entries = try zip(detectors.split(separator: ","), configurations()).map {
            Evaluator.Entry(
                plugin: String($0),
                configJSON: withShippedModel($1, plugin: String($0), scenario: loaded.name, shipped: shipped))
        }
        let evaluator = Evaluator(
            scenario: loaded, pluginDirectory: plugins ?? executableDirectory(), detectors: entries, rule: rule,
            instruments: instruments)
        let started = Date()
        let total = plan.cases.count, verbose = verbose
        progress(0, total, started)
        let outcomes: [Evaluator.Outcome]
        do {
            outcomes = try evaluator.run(plan.cases, jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount) {
                c, results in
                if verbose { for o in results { print(caseLine(c, o)) } }
                progress(c.index + 1, total, started)
            }
        } catch let failure as EvaluationCaseFailure {
            FileHandle.standardError.write(Data("\n".utf8))  // end the progress line
            if let e = failure.error as? DetectorError { throw CLIError(e.rpcError) }
            throw CLIError("case \(failure.caseIndex): \(failure.error)")
        }
        FileHandle.standardError.write(Data("\n".utf8))
        let report = EvaluationReport(outcomes: outcomes)
        if json {
            var j = report.json(rule: rule, scenario: loaded.name, seed: seed)
            j["sensor_faults"] = Dictionary(uniqueKeysWithValues: instruments.faults.map { ($0, $1.rawValue) })
            j["noise_scale"] = Dictionary(uniqueKeysWithValues: instruments.noiseScale.map { ($0.name, $1) })
            printJSON(j)
        } else {
            if !instruments.isNominal { print("instruments: \(instruments.summary)") }
            print(report.table(rule: rule))
        }
    }
}

extension InstrumentConditions {
    /// One line for the report: `PT-T2-21 dropout; pressure noise ×3`.
    var summary: String {
        (faults.sorted { $0.key < $1.key }.map { "\($0) \($1.rawValue)" }
            + noiseScale.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.name) noise ×\($1)" })
            .joined(separator: "; ")
    }
}

/// A detector's configuration with the shipped model for the scenario added when it names no
/// model and one is shipped (`ShippedModels`), as fluxiond does; noted on standard error.
func withShippedModel(_ config: String, plugin: String, scenario: String, shipped: String?) -> String {
    guard let shipped, let path = ShippedModels.model(plugin: plugin, scenario: scenario, in: shipped) else {
        return config
    }
    var object: [String: Any] = [:]
    if !config.trimmingCharacters(in: .whitespaces).isEmpty {
        guard let parsed = (try? JSONSerialization.jsonObject(with: Data(config.utf8))) as? [String: Any] else {
            return config  // the plugin reports what is wrong with it
        }
        object = parsed
    }
    guard object["model"] == nil else { return config }
    object["model"] = path
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return config }
    FileHandle.standardError.write(Data("\(plugin): shipped model \(path)\n".utf8))
    return String(decoding: data, as: UTF8.self)
}

/// One case and what a detector did in it (`--verbose`).
private func caseLine(_ c: EvaluationCase, _ o: Evaluator.Outcome) -> String {
    String(
        format:
            "case %3d %@ %@ @ %.0f m, %.2f %%, start %.0f s: %@, false alarms %d, placed %@, loc error %@, size error %@",
        c.index, o.detector, c.pipeID, c.positionM, c.sizeFraction * 100, c.leakStartS,
        o.timeToDetectS.map { String(format: "detected after %.0f s", $0) } ?? "MISSED",
        o.falseAlarms,
        o.locationAtDetection.map { String(format: "%@ @ %.0f m", $0.pipeID, $0.positionM) } ?? "–",
        o.localizationErrorM.map { String(format: "%.0f m", $0) } ?? "–",
        o.sizeError.map { String(format: "%.2f points", $0 * 100) } ?? "–")
}

/// The progress bar of a run of cases (evaluate, generate) on standard error.
func progress(_ done: Int, _ total: Int, _ started: Date) {
    let width = 30, filled = total > 0 ? done * width / total : width
    let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
    let line = "\r[\(bar)] \(done)/\(total) cases, \(String(format: "%.1f", Date().timeIntervalSince(started))) s"
    FileHandle.standardError.write(Data(line.utf8))
}

/// The directory of the running executable (where `swift build` puts the plugins).
func executableDirectory() -> String {
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    return URL(fileURLWithPath: exe).deletingLastPathComponent().path
}

extension EvaluationReport {
    func table(rule: AlarmRule) -> String {
        func f(_ x: Double, _ digits: Int = 0) -> String { x.isNaN ? "–" : String(format: "%.\(digits)f", x) }
        var lines = ["alarm rule: probability ≥ \(rule.probability) for \(f(rule.sustainS)) s"]
        for r in rows {
            lines.append("\(r.detector): \(r.detected)/\(r.cases) leaks detected, \(r.failures) failures")
            for b in r.bands {
                lines.append(
                    "  size \(f(b.lower * 100, 1))–\(f(b.upper * 100, 1)) %: \(b.detected)/\(b.cases) detected (\(f(b.rate * 100)) %)"
                )
            }
            lines.append("  detection rate, leaks ≥ 1 %: \(f(r.rateAtLeast1Percent * 100, 1)) %")
            lines.append(
                "  false alarms: \(r.falseAlarms) in \(f(r.normalDays, 2)) simulated days = \(f(r.falseAlarmsPerDay, 2)) per day"
            )
            lines.append("  time to detect: median \(f(r.timeToDetectMedianS)) s, p90 \(f(r.timeToDetectP90S)) s")
            func ci(_ r: ClosedRange<Double>?) -> String {
                r.map { "; 95 % CI \(f($0.lowerBound, 1))–\(f($0.upperBound, 1)) %" } ?? ""
            }
            lines.append(
                "  localization (\(r.located) of \(r.detected) located): median \(f(r.locErrorMedianM)) m (\(f(r.locErrorMedianPercent, 1)) % of pipe\(ci(r.locErrorMedianPercentCI))), p90 \(f(r.locErrorP90M)) m (\(f(r.locErrorP90Percent, 1)) %)"
            )
            lines.append(
                "  settled localization (last estimate of each run): median \(f(r.settledLocErrorMedianM)) m (\(f(r.settledLocErrorMedianPercent, 1)) % of pipe\(ci(r.settledLocErrorMedianPercentCI))), p90 \(f(r.settledLocErrorP90Percent, 1)) %"
            )
            lines.append("  size error: median \(f(r.sizeErrorMedianPoints, 2)) points of nominal flow")
        }
        return lines.joined(separator: "\n")
    }

    func json(rule: AlarmRule, scenario: String, seed: UInt64) -> [String: Any] {
        func n(_ x: Double) -> Any { x.isFinite ? x : NSNull() }
        return [
            "scenario": scenario, "seed": seed, "alarm_probability": rule.probability, "alarm_sustain_s": rule.sustainS,
            "detectors": rows.map { r -> [String: Any] in
                [
                    "detector": r.detector, "cases": r.cases, "detected": r.detected, "failures": r.failures,
                    "bands": r.bands.map {
                        ["size_min": $0.lower, "size_max": $0.upper, "cases": $0.cases, "detected": $0.detected]
                    },
                    "detection_rate_ge_1pct": n(r.rateAtLeast1Percent), "false_alarms": r.falseAlarms,
                    "normal_days": r.normalDays, "false_alarms_per_day": n(r.falseAlarmsPerDay),
                    "time_to_detect_median_s": n(r.timeToDetectMedianS), "time_to_detect_p90_s": n(r.timeToDetectP90S),
                    "located": r.located, "loc_error_median_m": n(r.locErrorMedianM),
                    "loc_error_p90_m": n(r.locErrorP90M),
                    "loc_error_median_pct": n(r.locErrorMedianPercent), "loc_error_p90_pct": n(r.locErrorP90Percent),
                    "settled_loc_error_median_m": n(r.settledLocErrorMedianM),
                    "settled_loc_error_median_pct": n(r.settledLocErrorMedianPercent),
                    "settled_loc_error_p90_pct": n(r.settledLocErrorP90Percent),
                    "loc_error_median_pct_ci95": r.locErrorMedianPercentCI.map { [$0.lowerBound, $0.upperBound] }
                        ?? NSNull(),
                    "settled_loc_error_median_pct_ci95": r.settledLocErrorMedianPercentCI.map {
                        [$0.lowerBound, $0.upperBound]
                    }
                        ?? NSNull(),
                    "size_error_median_points": n(r.sizeErrorMedianPoints),
                ]
            },
        ]
    }
}

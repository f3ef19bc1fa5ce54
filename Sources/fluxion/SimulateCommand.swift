import ArgumentParser
import FluxionScenario
import FluxionTwin
import Foundation

/// `fluxion simulate`: runs a scenario offline and writes every reading to CSV.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run a scenario offline (no server) and write its sensor readings to CSV.",
        discussion: """
            Writes one row per sample: time_s,sensor_id,quantity,value,unit,valid.
            Units: pressure Pa (gauge for liquids, absolute for gas), flow m3/s (gas Sm3/h),
            temperature degC, density kg/m3, totalized flow m3 (gas Sm3), head m.
            Each leak's true outflow is written too, as rows of quantity leak_flow with the
            leak's id (L1, L2, …) in sensor_id, at --leak-flow-rate from its start until the
            sample after it is cleared (which reads 0).
            Example: fluxion simulate --scenario absheron --duration 3600 --leak T2@12000:2%@600 --csv out.csv
            """)

    @Option(help: "Scenario file (YAML) or embedded scenario name (see `fluxion scenarios`).")
    var scenario: String = EmbeddedScenarios.defaultName

    @Option(help: "Simulated seconds to run (default: the scenario's duration_s).")
    var duration: Double?

    @Option(help: "Seed of the sensor noise and autopilot (same scenario + seed = same readings).")
    var seed: UInt64 = 0

    @Option(
        name: .customLong("leak"),
        help: ArgumentHelp(
            "Leak to inject, repeatable: PIPE@POSITION_M:SIZE@START_S, SIZE as N% of the pipe's nominal flow or Nm2 (Cd·A).",
            valueName: "PIPE@POSITION_M:SIZE@START_S"))
    var leaks: [String] = []

    @Flag(help: "Turn on the incident autopilot (random leaks from the scenario's autopilot section).")
    var autopilot = false

    @Option(help: "Output CSV path ('-' for standard output).")
    var csv: String

    @Option(help: "Samples per simulated second of each leak's outflow (leak_flow rows; 0: none).")
    var leakFlowRate: Double = 1

    @Flag(help: "Do not draw the progress bar on standard error.")
    var noProgress = false

    mutating func validate() throws {
        if let d = duration, !(d > 0 && d.isFinite) {
            throw ValidationError("--duration must be a positive number of seconds")
        }
        for l in leaks { _ = try LeakArgument.parse(l) }
        if csv.isEmpty { throw ValidationError("--csv needs a path") }
        if !(leakFlowRate >= 0 && leakFlowRate.isFinite) {
            throw ValidationError("--leak-flow-rate must be 0 (none) or a positive number of samples per second")
        }
    }

    func run() throws {
        let loaded: Scenario
        do {
            loaded = try ScenarioLoader.load(fileOrName: scenario)
        } catch {
            throw CLIError("\(error)")
        }
        var sim: Simulation
        do {
            sim = try Simulation(scenario: loaded, seed: seed)
            for l in leaks { try sim.injectLeak(LeakArgument.parse(l)) }
        } catch let e as TwinError {
            throw CLIError("\(scenario): \(e)")
        }
        if autopilot { sim.setAutopilot(enabled: true) }
        let total = duration ?? loaded.durationS
        guard let out = CSVWriter(path: csv) else { throw CLIError("cannot open '\(csv)' for writing") }
        out.write("time_s,sensor_id,quantity,value,unit,valid\n")
        let progress = ProgressBar(totalS: total, enabled: !noProgress && total / sim.timeStepS > 20_000)
        var line = ""
        let flowUnit = Quantity.flow.unit(isGas: sim.topology.isGas)
        var nextLeakSample = 1, reportedClear = Set<String>()
        while sim.timeS < total - 1e-9 * total {
            for r in sim.step() {
                line.removeAll(keepingCapacity: true)
                line += "\(r.simTimeS),\(r.sensorId),\(r.quantity.name),\(r.value),\(r.unit),\(r.valid ? 1 : 0)\n"
                out.write(line)
            }
            // The leaks' own outflow (the same rule as a sensor's samples: k/rate, k = 1, 2, …).
            if leakFlowRate > 0, Double(nextLeakSample) / leakFlowRate <= sim.timeS + 1e-9 {
                nextLeakSample = Int(((sim.timeS + 1e-9) * leakFlowRate).rounded(.down)) + 1
                for leak in sim.leaks(includeCleared: true) where leak.state != .scheduled {
                    if leak.state == .cleared {
                        guard !reportedClear.contains(leak.id) else { continue }
                        reportedClear.insert(leak.id)
                    }
                    let flow = leak.state == .cleared ? 0 : leak.currentFlow
                    out.write("\(sim.timeS),\(leak.id),leak_flow,\(flow),\(flowUnit),1\n")
                }
            }
            progress.update(sim.timeS)
        }
        out.close()
        progress.finish()
        if let t = sim.instabilities.first {
            throw CLIError(
                "the solution became non-finite (unstable) at t = \(t) s; it was restarted from the steady state \(sim.instabilities.count) time(s)"
            )
        }
    }
}

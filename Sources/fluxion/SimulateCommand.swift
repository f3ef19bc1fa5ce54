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

    @Flag(help: "Do not draw the progress bar on standard error.")
    var noProgress = false

    mutating func validate() throws {
        if let d = duration, !(d > 0 && d.isFinite) {
            throw ValidationError("--duration must be a positive number of seconds")
        }
        for l in leaks { _ = try LeakArgument.parse(l) }
        if csv.isEmpty { throw ValidationError("--csv needs a path") }
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
        while sim.timeS < total - 1e-9 * total {
            for r in sim.step() {
                line.removeAll(keepingCapacity: true)
                line += "\(r.simTimeS),\(r.sensorId),\(r.quantity.name),\(r.value),\(r.unit),\(r.valid ? 1 : 0)\n"
                out.write(line)
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

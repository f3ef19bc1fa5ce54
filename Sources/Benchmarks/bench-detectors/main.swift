// bench-detectors: detector cost per tick on the default scenario (absheron).
//
// Simulates 4 hours of the default gas network with a 5 % leak on T2 from t = 3 h, keeps the
// ticks in memory, then times DetectorHost.process over them (the threshold plugin loaded by
// dlopen from this executable's directory, or argv[1]). Prints ns per tick and checks the
// results: one finite signal per tick, no failure, no alarm before the leak, an alarm after it.
// `--pinn-model FILE` also times the pinn plugin with that model (its cost only: its detection
// quality is what `fluxion evaluate` measures, docs/PINN.md).
import FluxionDetectorKit
import FluxionDetectors
import FluxionScenario
import FluxionTwin
import Foundation

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("bench-detectors: FAILED: \(message)\n".utf8))
    exit(1)
}

var arguments = Array(CommandLine.arguments.dropFirst())
var pinnModel: String?
if let k = arguments.firstIndex(of: "--pinn-model"), k + 1 < arguments.count {
    pinnModel = arguments[k + 1]
    arguments.removeSubrange(k...(k + 1))
}
let pluginDirectory =
    !arguments.isEmpty
    ? arguments[0]
    : URL(
        fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
    )
    .deletingLastPathComponent().path
let leakStartS = 3 * 3600.0, endS = 4 * 3600.0

var scenario = try EmbeddedScenarios.load(EmbeddedScenarios.defaultName)
scenario.autopilot.enabled = false
var sim = try Simulation(scenario: scenario, seed: 1)
_ = try sim.injectLeak(
    LeakRequest(
        location: .pipe(id: "T2", positionM: 20_000), size: .fractionOfNominalFlow(0.05),
        startS: leakStartS, rampS: 30))
let network = NetworkDescription(sim)
let builder = TickBuilder(network)
var ticks: [DetectorTick] = []
sim.advance(toTimeS: endS) { readings in
    if let t = readings.first?.simTimeS { ticks.append(builder.tick(simTimeS: t, readings: readings)) }
}
let samples = ticks.reduce(0) { $0 + $1.samples.count }
print(
    "absheron: \(ticks.count) ticks, \(samples) samples (\(String(format: "%.1f", Double(samples) / Double(ticks.count))) per tick), 4 h simulated"
)

/// Times `plugin` over the ticks: best of 5 rounds, ns per tick; the signals of the last round.
@MainActor func time(_ plugin: String, config: String = "") -> (ns: Double, signals: [AlertSignal]) {
    var best = Double.infinity
    var signals: [AlertSignal] = []
    for round in 0..<5 {
        let host = DetectorHost(pluginDirectory: pluginDirectory, network: network)
        host.wallClock = { 0 }
        do {
            try host.load(plugin: plugin, name: plugin, configJSON: config)
            try host.activate(plugin)
        } catch { fail("\(plugin): \(error)") }
        var out: [AlertSignal] = []
        out.reserveCapacity(ticks.count)
        var failures = 0
        let start = DispatchTime.now().uptimeNanoseconds
        for tick in ticks { out += host.process(tick) { _ in failures += 1 } }
        let ns = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(ticks.count)
        best = min(best, ns)
        if failures > 0 { fail("\(plugin) failed in round \(round)") }
        signals = out
    }
    guard signals.count == ticks.count else { fail("\(plugin): \(signals.count) signals for \(ticks.count) ticks") }
    guard signals.allSatisfy({ $0.estimate.probability.isFinite }) else { fail("\(plugin): non-finite probability") }
    return (best, signals)
}

if let pinnModel {
    let config = String(decoding: try JSONSerialization.data(withJSONObject: ["model": pinnModel]), as: UTF8.self)
    let (ns, _) = time("pinn", config: config)
    print(String(format: "pinn: %.2f µs per tick (best of 5 rounds; %@)", ns / 1000, pinnModel))
}

for plugin in ["threshold"] {
    let (best, signals) = time(plugin)
    let falseAlarm = signals.first { $0.simTimeS < leakStartS && $0.estimate.probability >= 0.5 }
    let alarm = signals.first { $0.simTimeS >= leakStartS && $0.estimate.probability >= 0.5 }
    if let falseAlarm { fail("\(plugin): alarm before the leak at t = \(falseAlarm.simTimeS) s") }
    guard let alarm else { fail("\(plugin): no alarm within 1 h of a 5 % leak") }
    print(
        String(
            format:
                "%@: %.2f µs per tick (best of 5 rounds, %.0f ns per sample); 5 %% leak on T2 detected after %.0f s, located %@ %.0f m",
            plugin, best / 1000, best / (Double(samples) / Double(ticks.count)), alarm.simTimeS - leakStartS,
            alarm.estimate.pipeID ?? "–", alarm.estimate.positionM ?? .nan))
}

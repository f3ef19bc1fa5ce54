import ArgumentParser
import FluxionClient
import FluxionDetectors
import FluxionWire
import Foundation

struct DetectorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detectors",
        abstract: "List, load, activate, deactivate and swap the server's detector plugins.",
        discussion: """
            Plugins are lib<NAME>.so files in fluxiond's plugin directory (--plugins); a name is never a path.
            Example: fluxion detectors load threshold && fluxion detectors activate threshold
            """,
        subcommands: [List.self, Load.self, Activate.self, Deactivate.self, Swap.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Plugin files and loaded detector instances.")
        @OptionGroup var connection: ConnectionOptions

        func run() throws {
            let response: Wire.ListDetectorsResponse = try call(connection) { conn throws(RPCError) in
                try conn.unary(Wire.Fluxion.listDetectors, Wire.ListDetectorsRequest())
            }
            show(response.detectors, connection)
        }
    }

    struct Load: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load a detector instance from a plugin (not active yet).")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Plugin name in the server's plugin directory (e.g. threshold).") var plugin: String
        @Option(help: "Instance name (default: the plugin name).") var name: String = ""
        @Option(help: "Detector configuration as JSON (default: the detector's defaults).") var config: String = ""

        func validate() throws {
            guard !plugin.contains("/") else {
                throw ValidationError("a plugin is named, not given as a path: '\(plugin)'")
            }
        }

        func run() throws {
            let request = Wire.LoadDetectorRequest(plugin: plugin, name: name, configJSON: config)
            let response: Wire.DetectorResponse = try call(connection) { conn throws(RPCError) in
                try conn.unary(Wire.Fluxion.loadDetector, request)
            }
            show(response.detectors, connection)
        }
    }

    struct Activate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start running a loaded detector on every tick.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Instance name.") var name: String

        func run() throws {
            let response: Wire.DetectorResponse = try call(connection) { conn throws(RPCError) in
                try conn.unary(Wire.Fluxion.activateDetector, Wire.ActivateDetectorRequest(name: name))
            }
            show(response.detectors, connection)
        }
    }

    struct Deactivate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop running a detector (it stays loaded).")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Instance name.") var name: String

        func run() throws {
            let response: Wire.DetectorResponse = try call(connection) { conn throws(RPCError) in
                try conn.unary(Wire.Fluxion.deactivateDetector, Wire.DeactivateDetectorRequest(name: name))
            }
            show(response.detectors, connection)
        }
    }

    struct Swap: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deactivate one detector and activate another in one step (no tick between them).")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "Instance to deactivate.") var from: String
        @Argument(help: "Instance to activate.") var to: String

        func run() throws {
            let response: Wire.DetectorResponse = try call(connection) { conn throws(RPCError) in
                try conn.unary(Wire.Fluxion.swapDetector, Wire.SwapDetectorRequest(deactivate: from, activate: to))
            }
            show(response.detectors, connection)
        }
    }
}

private func call<R>(_ connection: ConnectionOptions, _ body: (FluxionConnection) throws(RPCError) -> R) throws -> R {
    let conn = try connection.connect()
    defer { conn.close() }
    return try rpc { () throws(RPCError) in try body(conn) }
}

private func show(_ detectors: [Wire.DetectorInfo], _ connection: ConnectionOptions) {
    if connection.json {
        printJSON(
            detectors.map { d -> [String: Any] in
                [
                    "name": d.name, "plugin": d.plugin, "version": d.version, "description": d.description,
                    "state": d.state.name,
                    "abi_version": d.abiVersion, "last_error": d.lastError, "leak_probability": d.leakProbability,
                    "samples_seen": d.samplesSeen, "learning_remaining_s": d.learningRemainingS,
                ]
            })
        return
    }
    if detectors.isEmpty { print("no detectors") }
    for d in detectors {
        var line = "\(d.name.padding(toLength: max(d.name.count, 20), withPad: " ", startingAt: 0)) \(d.state.name)"
        if d.state != .available {
            line +=
                "  plugin \(d.plugin) \(d.version), p = \(String(format: "%.3f", d.leakProbability)), \(d.samplesSeen) samples"
            if d.state == .active, d.learningRemainingS > 0 {
                line += ", learning: \(DetectorHost.duration(d.learningRemainingS)) of simulated time left"
            }
        } else if !d.version.isEmpty {
            line += "  \(d.version)  \(d.description)"
        }
        if !d.lastError.isEmpty { line += "  error: \(d.lastError)" }
        print(line)
    }
}

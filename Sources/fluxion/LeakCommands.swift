import ArgumentParser
import FluxionClient
import FluxionWire
import Foundation

struct InjectLeakCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inject-leak",
        abstract: "Open a leak in the running twin.",
        discussion: """
            Where: --pipe ID --at METRES (from the pipe's start), or --line ID --chainage METRES.
            Size: --size FRACTION of the pipe's nominal flow (0.02 = 2 %), or --area M2 (effective Cd·A).
            Example: fluxion inject-leak --pipe T2 --at 12000 --size 0.02
            """)

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Pipe id.") var pipe: String?
    @Option(help: "Position along the pipe, m from its start.") var at: Double?
    @Option(help: "Line id (leak placed by chainage along the line).") var line: String?
    @Option(help: "Chainage along the line, m.") var chainage: Double?
    @Option(help: "Leak size as a fraction of the pipe's nominal flow (0 < size ≤ 1).") var size: Double?
    @Option(help: "Leak size as an effective orifice area Cd·A, m².") var area: Double?
    @Option(help: "Simulated time to open the leak, s (default: now).") var start: Double?
    @Option(help: "Opening time, s (0: at once).") var ramp: Double = 0

    func validate() throws {
        switch (pipe, line) {
        case (.some, nil): guard at != nil else { throw ValidationError("--pipe needs --at METRES") }
        case (nil, .some): guard chainage != nil else { throw ValidationError("--line needs --chainage METRES") }
        case (.some, .some): throw ValidationError("give --pipe or --line, not both")
        case (nil, nil): throw ValidationError("say where: --pipe ID --at METRES, or --line ID --chainage METRES")
        }
        switch (size, area) {
        case (nil, nil): throw ValidationError("say how big: --size FRACTION or --area M2")
        case (.some, .some): throw ValidationError("give --size or --area, not both")
        default: break
        }
    }

    func run() throws {
        var request = Wire.InjectLeakRequest(startSimTimeS: start, rampS: ramp)
        if let pipe, let at { request.where = .pipe(Wire.PipePosition(pipeID: pipe, positionM: at)) }
        if let line, let chainage { request.where = .line(Wire.LineChainage(lineID: line, chainageM: chainage)) }
        request.size = size.map { .sizeFraction($0) } ?? area.map { .effectiveAreaM2($0) }
        let conn = try connection.connect()
        defer { conn.close() }
        let response: Wire.InjectLeakResponse = try rpc { () throws(RPCError) in
            try conn.unary(Wire.Fluxion.injectLeak, request)
        }
        let leak = try response.leak.required("leak")
        for warning in response.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        if connection.json {
            var object = leak.json
            object["warnings"] = response.warnings
            printJSON(object)
        } else {
            print("injected " + leak.summary)
        }
    }
}

struct ClearLeakCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "clear-leak", abstract: "Close a leak now.")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The leak id, as inject-leak or leaks printed it (e.g. L1).") var leakID: String

    func run() throws {
        let conn = try connection.connect()
        defer { conn.close() }
        let response: Wire.ClearLeakResponse = try rpc { () throws(RPCError) in
            try conn.unary(Wire.Fluxion.clearLeak, Wire.ClearLeakRequest(leakID: leakID))
        }
        let leak = try response.leak.required("leak")
        if connection.json { printJSON(leak.json) } else { print("cleared " + leak.summary) }
    }
}

struct LeaksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "leaks", abstract: "List the twin's leaks.")

    @OptionGroup var connection: ConnectionOptions
    @Flag(help: "Include cleared leaks.") var all = false

    func run() throws {
        let conn = try connection.connect()
        defer { conn.close() }
        let response: Wire.ListLeaksResponse = try rpc { () throws(RPCError) in
            try conn.unary(Wire.Fluxion.listLeaks, Wire.ListLeaksRequest(includeCleared: all))
        }
        if connection.json {
            printJSON(response.leaks.map(\.json))
        } else if response.leaks.isEmpty {
            print(all ? "no leaks" : "no open leaks")
        } else {
            for leak in response.leaks { print(leak.summary) }
        }
    }
}

extension Wire.Leak {
    var summary: String {
        var s = "\(leakID) \(state.name) on \(pipeID) at \(String(format: "%.0f", positionM)) m"
        if !lineID.isEmpty { s += " (\(lineID) chainage \(String(format: "%.0f", chainageM)) m)" }
        s += String(
            format: ", %.2f %% of nominal flow, Cd·A %.3g m², from t = %.1f s", sizeFraction * 100, effectiveAreaM2,
            startSimTimeS)
        if rampS > 0 { s += String(format: " over %.0f s", rampS) }
        if state == .cleared { s += String(format: ", cleared at t = %.1f s", clearedSimTimeS) }
        if state == .active { s += String(format: ", outflow %.4g", currentFlow) }
        return s + " [\(source)]"
    }

    var json: [String: Any] {
        [
            "leak_id": leakID, "pipe_id": pipeID, "position_m": positionM, "line_id": lineID, "chainage_m": chainageM,
            "effective_area_m2": effectiveAreaM2,
            "size_fraction": sizeFraction,
            "start_sim_time_s": startSimTimeS, "ramp_s": rampS, "state": state.name,
            "cleared_sim_time_s": clearedSimTimeS,
            "created_wall_unix_ns": createdWallUnixNs, "cleared_wall_unix_ns": clearedWallUnixNs,
            "current_flow": currentFlow, "source": source,
        ]
    }
}

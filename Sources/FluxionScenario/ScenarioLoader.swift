import FluxionTwin
import Yams

/// Turns scenario YAML (docs/SCENARIOS.md) into a `FluxionTwin.Scenario`, checking
/// it fully: unknown fields, bad values, the network (connectivity, references),
/// sensors and leaks on real pipes, and the time step (Courant condition), by
/// starting a simulation once. Errors name the file, line, element and field.
public enum ScenarioLoader {
    /// Parses and checks a scenario.
    /// - Parameters: yaml: the text; file: path or name used in messages.
    public static func load(yaml: String, file: String) throws(ScenarioError) -> Scenario {
        var lines = ElementLines()
        let scenario = try parse(yaml: yaml, file: file, lines: &lines)
        do {
            _ = try Simulation(scenario: scenario, seed: 0)
        } catch {
            throw lines.locate(error, file: file)
        }
        return scenario
    }

    /// Parses without starting a simulation (no network checks).
    static func parse(yaml: String, file: String, lines: inout ElementLines) throws(ScenarioError) -> Scenario {
        let root: Yams.Node
        do {
            guard let r = try Yams.compose(yaml: yaml) else {
                throw ScenarioError(file: file, message: "empty scenario")
            }
            root = r
        } catch let e as ScenarioError {
            throw e
        } catch {
            throw ScenarioError(file: file, line: yamlLine(error), message: "not valid YAML: \(error)")
        }
        var top = try YAMLMapping(root, file: file, element: "scenario")
        let name = try top.requiredString("name")
        let description = try top.string("description") ?? ""
        let duration = try top.positive("duration_s") ?? 60
        guard var fluidMap = try top.mapping("fluid", element: "fluid") else { throw top.missing("fluid") }
        let fluid = try parseFluid(&fluidMap)
        var solver = SolverOptions()
        if var s = try top.mapping("solver", element: "solver") {
            lines.record("solver", s)
            solver.timeStepS = try s.positive("time_step_s")
            solver.maxReachLengthM = try s.positive("max_reach_length_m")
            solver.waveSpeedTolerance = try s.positive("wave_speed_tolerance") ?? 0.05
            try s.finish()
        }
        var nodes = [FluxionTwin.Node]()
        for n in try top.sequence("nodes") {
            var m = try YAMLMapping(n, file: file, element: "node")
            nodes.append(try parseNode(&m, isGas: fluid.isGas, lines: &lines))
        }
        var pipes = [Pipe]()
        for p in try top.sequence("pipes") {
            var m = try YAMLMapping(p, file: file, element: "pipe")
            pipes.append(try parsePipe(&m, lines: &lines))
        }
        var stations = [Station]()
        for s in try top.sequence("stations") {
            var m = try YAMLMapping(s, file: file, element: "station")
            let id = try m.requiredString("id")
            m.element = id
            lines.record(id, m)
            stations.append(
                Station(
                    id: id, name: try m.string("name") ?? id, nodeId: try m.requiredString("node"),
                    riskMultiplier: try m.positive("risk_multiplier", allowZero: true) ?? 1))
            try m.finish()
        }
        var networkLines = [Line]()
        for l in try top.sequence("lines") {
            var m = try YAMLMapping(l, file: file, element: "line")
            let id = try m.requiredString("id")
            m.element = id
            lines.record(id, m)
            var ids = [String]()
            for p in try m.sequence("pipes") {
                guard let s = p.string else { throw m.error("pipes", "expected a list of pipe ids") }
                ids.append(s)
            }
            networkLines.append(Line(id: id, pipeIds: ids))
            try m.finish()
        }
        var sensors = [Sensor]()
        for s in try top.sequence("sensors") {
            var m = try YAMLMapping(s, file: file, element: "sensor")
            sensors.append(try parseSensor(&m, lines: &lines))
        }
        var leaks = [LeakRequest]()
        for (i, l) in try top.sequence("leaks").enumerated() {
            var m = try YAMLMapping(l, file: file, element: "leaks[\(i)]")
            leaks.append(try parseLeak(&m, lines: &lines, leakNumber: i + 1))
        }
        var autopilot = AutopilotConfig()
        if var a = try top.mapping("autopilot", element: "autopilot") {
            autopilot = try parseAutopilot(&a)
        }
        var field: FieldMapping?
        if var f = try top.mapping("field", element: "field") {
            field = try parseField(&f, sensors: sensors, isGas: fluid.isGas)
        }
        try top.finish()
        guard !nodes.isEmpty else { throw top.error("nodes", "must list at least one node") }
        guard !pipes.isEmpty else { throw top.error("pipes", "must list at least one pipe") }
        let network = Network(fluid: fluid, nodes: nodes, pipes: pipes, stations: stations, lines: networkLines)
        return Scenario(
            name: name, description: description, network: network, sensors: sensors, leaks: leaks,
            solver: solver, autopilot: autopilot, durationS: duration, field: field)
    }

    static func yamlLine(_ error: any Error) -> Int? {
        guard let y = error as? YamlError else { return nil }
        switch y {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _): return mark.line
        default: return nil
        }
    }
}

/// Where each element and field sits in the file, to locate errors found later
/// by the twin (which knows ids and fields, not lines).
struct ElementLines {
    var lines: [String: Int] = [:]
    var fieldLines: [String: Int] = [:]

    mutating func record(_ id: String, _ m: YAMLMapping) {
        lines[id] = m.line
        for key in [
            "length_m", "diameter_m", "from", "to", "pipe", "node", "position_m", "kind", "law",
            "wave_speed_m_s", "sample_rate_hz", "chainage_m", "line", "size_fraction",
            "effective_area_m2", "pipes", "noise_std", "ramp_s",
        ] where m.has(key) {
            fieldLines[id + "\u{0}" + key] = m.line(of: key)
        }
    }

    /// Converts a twin error to a located scenario error.
    func locate(_ error: TwinError, file: String) -> ScenarioError {
        func at(_ element: String, _ field: String?) -> ScenarioError {
            let line = field.flatMap { fieldLines[element + "\u{0}" + $0] } ?? lines[element]
            return ScenarioError(file: file, line: line, element: element, field: field, message: message(error))
        }
        switch error {
        case .duplicateId(let id): return at(id, "id")
        case let .invalidValue(e, f, _): return at(e, f)
        case let .unknownNode(e, f, _): return at(e, f)
        case let .unknownPipe(e, f, _): return at(e, f)
        case .disconnected(let n): return at(n, nil)
        case .courantViolated:
            return ScenarioError(
                file: file, line: lines["solver"], element: "solver",
                field: "time_step_s", message: "\(error)")
        case let .waveSpeedAdjustmentTooLarge(p, _, _):
            return ScenarioError(file: file, line: lines[p], element: p, field: "wave_speed_m_s", message: "\(error)")
        case let .positionOutsidePipe(e, _, _, _):
            return at(e, lines[e] != nil && fieldLines[e + "\u{0}position_m"] == nil ? "chainage_m" : "position_m")
        default: return ScenarioError(file: file, message: "\(error)")
        }
    }

    private func message(_ error: TwinError) -> String {
        switch error {
        case let .invalidValue(_, _, r): r
        case let .unknownNode(_, _, n): "names unknown node '\(n)'"
        case let .unknownPipe(_, _, p): "names unknown pipe '\(p)'"
        case .duplicateId: "duplicate id"
        case .disconnected: "is not connected to the rest of the network"
        case let .positionOutsidePipe(_, p, x, l): "\(x) m is outside pipe '\(p)' (0…\(l) m)"
        default: "\(error)"
        }
    }
}

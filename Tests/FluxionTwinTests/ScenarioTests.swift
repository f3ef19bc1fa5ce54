import FluxionScenario
import Foundation
import Testing

@testable import FluxionTwin

/// Scenario files: the embedded ones load and run; bad ones say where they are bad.
@Suite struct ScenarioTests {
    static let base = """
        name: small
        fluid: {kind: liquid}
        solver: {time_step_s: 0.01}
        nodes:
          - {id: R, kind: reservoir, head_m: 50}
          - {id: D, kind: demand, flow: 0.05}
        pipes:
          - id: P1
            from: R
            to: D
            length_m: 800
            diameter_m: 0.3
            darcy_f: 0.02
            wave_speed_m_s: 1000
        sensors:
          - {id: S1, quantity: pressure, pipe: P1, position_m: 400}
        leaks:
          - {pipe: P1, position_m: 300, effective_area_m2: 0.0005, start_s: 1}
        """

    static func error(_ yaml: String) -> ScenarioError? {
        do {
            _ = try ScenarioLoader.load(yaml: yaml, file: "bad.yaml")
            return nil
        } catch {
            return error
        }
    }

    @Test func baseScenarioLoads() throws {
        let s = try ScenarioLoader.load(yaml: Self.base, file: "ok.yaml")
        #expect(s.network.pipes.count == 1 && s.sensors.count == 1 && s.leaks.count == 1)
    }

    @Test(
        arguments: [
            // (replace, with, expected line, element, field, message fragment)
            ("    length_m: 800", "    lenght_m: 800", 11, "P1", "lenght_m", "unknown field"),
            ("    length_m: 800", "    length_m: -800", 11, "P1", "length_m", "must be positive"),
            (
                "  - {id: D, kind: demand, flow: 0.05}", "  - {id: D, kind: demand, flow: 0.05}\n  - {id: X}", 7, "X",
                nil, "not connected"
            ),
            (
                "{id: S1, quantity: pressure, pipe: P1,", "{id: S1, quantity: pressure, pipe: P9,", 16, "S1", "pipe",
                "unknown pipe 'P9'"
            ),
            ("{pipe: P1, position_m: 300,", "{pipe: P1, position_m: 900,", 18, "L1", "position_m", "outside pipe 'P1'"),
            (
                "solver: {time_step_s: 0.01}", "solver: {time_step_s: 0.9}", 3, "solver", "time_step_s",
                "largest allowed step is 0.8 s"
            ),
            ("    to: D", "    to: Q", 10, "P1", "to", "unknown node 'Q'"),
            // Cd is in the effective area Cd·A: a separate one would be recorded and do nothing.
            (
                "effective_area_m2: 0.0005,", "effective_area_m2: 0.0005, discharge_coefficient: 0.31,", 18, "L1",
                "discharge_coefficient", "give effective_area_m2 = Cd·A"
            ),
            // The gas momentum equation is a gas option.
            (
                "fluid: {kind: liquid}", "fluid: {kind: liquid, momentum: isothermal_euler}", 2, "fluid", "momentum",
                "is for gas only"
            ),
        ] as [(String, String, Int, String, String?, String)])
    func badScenarioNamesFileLineElementField(
        replace: String, with: String, line: Int, element: String,
        field: String?, fragment: String
    ) throws {
        #expect(Self.base.contains(replace))
        let e = try #require(Self.error(Self.base.replacingOccurrences(of: replace, with: with)))
        #expect(e.file == "bad.yaml")
        #expect(e.line == line, "\(e)")
        #expect(e.element == element, "\(e)")
        #expect(e.field == field, "\(e)")
        #expect(e.description.contains(fragment), "\(e)")
        #expect(e.description.hasPrefix("bad.yaml:\(line):"), "\(e)")
    }

    // `momentum` under a gas fluid: no_convection by default, isothermal_euler when asked, and an
    // unknown model refused naming the file, line, element and field.
    @Test func gasMomentumEquationIsChosenInTheFluid() throws {
        let yaml = try #require(EmbeddedScenarios.yaml(named: "absheron"))
        let marker = "  kind: gas\n"
        #expect(yaml.contains(marker))
        func gas(_ s: Scenario) -> Gas? { if case .gas(let g) = s.network.fluid { g } else { nil } }
        #expect(gas(try ScenarioLoader.load(yaml: yaml, file: "a.yaml"))?.momentum == .noConvection)
        let euler = yaml.replacingOccurrences(of: marker, with: marker + "  momentum: isothermal_euler\n")
        #expect(gas(try ScenarioLoader.load(yaml: euler, file: "a.yaml"))?.momentum == .isothermalEuler)
        let bad = yaml.replacingOccurrences(of: marker, with: marker + "  momentum: euler\n")
        let e = try #require(Self.error(bad))
        #expect(e.file == "bad.yaml" && e.element == "fluid" && e.field == "momentum", "\(e)")
        #expect(e.line == yaml.prefix(upTo: yaml.range(of: marker)!.upperBound).filter { $0 == "\n" }.count + 1, "\(e)")
        #expect(e.description.contains("must be no_convection or isothermal_euler, not 'euler'"), "\(e)")
    }

    @Test func notYAMLSaysWhere() throws {
        let e = try #require(Self.error("name: x\nnodes: [a, b\n"))
        #expect(e.description.contains("bad.yaml") && e.description.contains("not valid YAML"))
    }

    @Test func everyEmbeddedScenarioLoadsAndRuns() throws {
        for s in EmbeddedScenarios.all {
            let scenario = try EmbeddedScenarios.load(s.name)
            var sim = try Simulation(scenario: scenario, seed: 1)
            var count = 0
            sim.advance(toTimeS: min(scenario.durationS, 5)) { count += $0.count }
            #expect(count > 0 && sim.solver.isFinite, "\(s.name)")
        }
        #expect(EmbeddedScenarios.defaultName == "absheron")
    }

    // A whole simulated day of the default scenario: stable, and every station reads
    // in the ranges the user's current tool shows (pressure ~485 kPa, DP ~12.5 kPa at
    // mean flow, base density ~0.74 kg/m³, hourly flow ~12,500 Sm³/h on average).
    @Test func absheronDayStaysInRange() throws {
        var sim = try Simulation(scenario: EmbeddedScenarios.load("absheron"), seed: 5)
        var values = [String: [Double]]()
        sim.advance(toTimeS: 86_400) { rs in
            for r in rs { values[r.sensorId, default: []].append(r.value) }
        }
        #expect(sim.solver.isFinite)
        func mean(_ id: String) -> Double { values[id]!.reduce(0, +) / Double(values[id]!.count) }
        for station in ["SUM", "MAR", "TUR"] {
            #expect(values["\(station)-PT"]!.allSatisfy { $0 > 430_000 && $0 < 520_000 }, "\(station) pressure")
            #expect(abs(mean("\(station)-PT") - 485_000) < 15_000, "\(station) pressure mean \(mean("\(station)-PT"))")
            #expect(abs(mean("\(station)-FT") - 12_500) < 250, "\(station) flow mean \(mean("\(station)-FT"))")
            #expect(abs(mean("\(station)-DT") - 0.74) < 0.005, "\(station) density")
            #expect(values["\(station)-DPT"]!.contains { abs($0 - 12_500) < 1_000 }, "\(station) DP")
            #expect(values["\(station)-TT"]!.allSatisfy { $0 > 12 && $0 < 17 }, "\(station) temperature")
            // Totalizer: a day at 12,500 Sm³/h adds about 300,000 Sm³.
            let fq = values["\(station)-FQ"]!
            #expect(abs((fq.last! - fq.first!) - 300_000) < 10_000, "\(station) totalized \(fq.last! - fq.first!)")
        }
        // Morning and evening peaks above the night trough.
        let ft = values["SUM-FT"]!  // 0.1 Hz: sample i at (i+1)·10 s
        func at(_ hour: Double) -> Double { ft[Int(hour * 360) - 1] }
        #expect(at(8) > 1.2 * at(3) && at(19) > 1.3 * at(3))
    }
}

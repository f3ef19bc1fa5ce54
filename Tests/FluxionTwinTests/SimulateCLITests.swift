import FluxionScenario
import FluxionTwin
import Foundation
import Testing

/// `fluxion simulate` and `fluxion scenarios`, run as the real executable.
@Suite struct SimulateCLITests {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `fluxion` binary built beside this test bundle (`swift build --build-tests` builds it).
    static func binary() throws -> URL {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [dir, dir.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("fluxion")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        struct Missing: Error, CustomStringConvertible {
            let dir: String
            var description: String {
                "fluxion executable not found near \(dir): build all products first (swift build --build-tests)"
            }
        }
        throw Missing(dir: dir.path)
    }

    static func run(_ args: [String]) throws -> Result {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = args
        let out = Foundation.Pipe(), err = Foundation.Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
            stderr: String(decoding: e, as: UTF8.self))
    }

    static func tempPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("fluxion-cli-\(getpid())-\(name)").path
    }

    static func rows(_ path: String) throws -> [[String]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: ",").map(String.init)
        }
    }

    @Test func embeddedScenarioWithLeakWritesCSV() throws {
        let csv = Self.tempPath("a.csv")
        defer { try? FileManager.default.removeItem(atPath: csv) }
        let r = try Self.run([
            "simulate", "--scenario", "water-main-leak", "--duration", "30", "--seed", "4",
            "--leak", "M1@1000:2%@10", "--csv", csv,
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try Self.rows(csv)
        #expect(rows[0] == ["time_s", "sensor_id", "quantity", "value", "unit", "valid"])
        let data = rows.dropFirst().filter { $0[2] != "leak_flow" }
        // 4 pressure sensors at 10 Hz, 3 flows at 1 Hz, 1 temperature at 0.1 Hz, over 30 s.
        #expect(data.count == 4 * 300 + 3 * 30 + 3)
        // The leaks' outflow at 1 Hz (sample k on the first level at or after k s) from the first
        // level after each start: the command's L2 from 10 s (21 rows: just after 10 s, then
        // 11 … 30 s), the scenario's L1 from 20 s (11 rows). L2 was sized at 2 % of M1's nominal
        // flow at its injection pressure; the transients move it a little (within 10 %).
        let leakRows = rows.dropFirst().filter { $0[2] == "leak_flow" }
        #expect(leakRows.filter { $0[1] == "L2" }.count == 21 && leakRows.filter { $0[1] == "L1" }.count == 11)
        #expect(leakRows.allSatisfy { $0[4] == "m3/s" && $0[5] == "1" })
        let firstL2 = try #require(leakRows.first { $0[1] == "L2" }.flatMap { Double($0[0]) })
        #expect(firstL2 > 10 && firstL2 < 10.1)
        let nominal = try Simulation(scenario: EmbeddedScenarios.load("water-main-leak")).topology.pipes
            .first { $0.id == "M1" }!.nominalFlow
        let l2 = try #require(leakRows.last { $0[1] == "L2" }.flatMap { Double($0[3]) })
        #expect(l2 > 0.018 * nominal && l2 < 0.022 * nominal, "L2 \(l2) m³/s, nominal \(nominal) m³/s")
        #expect(data.allSatisfy { $0.count == 6 && Double($0[0]) != nil && Double($0[3]) != nil })
        let inflow = data.filter { $0[1] == "FT-in" }.map { Double($0[3])! }
        // The 2 % leak at 10 s raises the inflow once its wave has come back to the reservoir.
        let before = inflow[0..<9].reduce(0, +) / 9, after = inflow[25..<30].reduce(0, +) / 5
        #expect(after > before * 1.01, "inflow \(before) → \(after) m³/s")
        #expect(data.first { $0[1] == "PT-0500" }?[4] == "Pa")
    }

    @Test func fileScenarioIsDeterministic() throws {
        let yaml = Self.tempPath("s.yaml"), a = Self.tempPath("s1.csv"), b = Self.tempPath("s2.csv")
        defer { for p in [yaml, a, b] { try? FileManager.default.removeItem(atPath: p) } }
        try """
        name: file-line
        fluid: {kind: gas}
        solver: {max_reach_length_m: 100}
        nodes:
          - {id: S, kind: source, pressure_pa: 480000}
          - {id: D, kind: demand, flow: 9000}
        pipes:
          - {id: G, from: S, to: D, length_m: 5000, diameter_m: 0.4, roughness_m: 0.00003}
        sensors:
          - {id: PT, quantity: pressure, pipe: G, position_m: 2500, sample_rate_hz: 2, noise_std: 100}
          - {id: FT, quantity: flow, node: D, sample_rate_hz: 1, noise_std: 20}
        leaks:
          - {pipe: G, position_m: 1000, size_fraction: 0.05, start_s: 3}
        """.write(toFile: yaml, atomically: true, encoding: .utf8)
        for out in [a, b] {
            let r = try Self.run(["simulate", "--scenario", yaml, "--duration", "20", "--seed", "9", "--csv", out])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let first = try String(contentsOfFile: a, encoding: .utf8)
        #expect(first == (try String(contentsOfFile: b, encoding: .utf8)))
        let rows = try Self.rows(a).dropFirst()
        // 2 Hz pressure and 1 Hz flow over 20 s, and the leak's outflow at 1 Hz from the first
        // sample after its start at 3 s (the level just after 3 s, then 4 … 20 s): 18 rows.
        #expect(rows.count == 40 + 20 + 18)
        #expect(rows.first { $0[1] == "FT" }?[4] == "Sm3/h")
        #expect(rows.filter { $0[1] == "L1" }.allSatisfy { $0[2] == "leak_flow" && $0[4] == "Sm3/h" })
    }

    @Test(arguments: [
        (["simulate", "--leak", "nonsense", "--csv", "/dev/null"], "--leak 'nonsense'"),
        (["simulate", "--duration=-5", "--csv", "/dev/null"], "--duration must be a positive number"),
        (["simulate", "--scenario", "no-such-scenario", "--csv", "/dev/null"], "no-such-scenario"),
        (
            ["simulate", "--scenario", "water-main-leak", "--leak", "M9@10:1%@0", "--csv", "/dev/null"],
            "unknown pipe 'M9'"
        ),
        (
            ["simulate", "--scenario", "water-main-leak", "--leak", "M1@9000:1%@0", "--csv", "/dev/null"],
            "outside pipe 'M1'"
        ),
        (["scenarios", "--yaml", "nope"], "no embedded scenario named 'nope'"),
    ])
    func badInputGivesOneLineAndNonZeroExit(args: [String], fragment: String) throws {
        let r = try Self.run(args)
        #expect(r.status != 0)
        #expect(r.stderr.contains(fragment), "\(r.stderr)")
        // One error line first (argument-parser may add its usage hint after it).
        let first = r.stderr.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.contains(fragment), "\(r.stderr)")
        #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Stack dump"))
    }

    @Test func badScenarioFileNamesFileLineElementField() throws {
        let yaml = Self.tempPath("bad.yaml")
        defer { try? FileManager.default.removeItem(atPath: yaml) }
        try
            "name: x\nfluid: {kind: liquid}\nnodes:\n  - {id: R, kind: reservoir, head_m: 10}\n  - {id: D, kind: demand, flow: 0.1}\npipes:\n  - {id: P, from: R, to: D, length_m: -3, diameter_m: 0.2, darcy_f: 0.02}\n"
            .write(toFile: yaml, atomically: true, encoding: .utf8)
        let r = try Self.run(["simulate", "--scenario", yaml, "--csv", "/dev/null"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("\(yaml):7: element 'P', field 'length_m': must be positive"), "\(r.stderr)")
    }

    @Test func scenariosListsTheEmbeddedOnes() throws {
        let r = try Self.run(["scenarios"])
        #expect(r.status == 0)
        for name in ["absheron", "tsnet-valve-closure", "water-main-leak"] { #expect(r.stdout.contains(name)) }
        let yaml = try Self.run(["scenarios", "--yaml", "absheron"])
        #expect(yaml.stdout.contains("name: absheron"))
    }
}

import Foundation
import Testing

/// `fluxion alerts` against the real fluxiond serving a store written by `alerts-crash-writer`
/// (12 events: alerts ALR-1…ALR-6 of detector "crash-test", each raised and cleared, p = 0.95).
@Suite struct AlertsCLITests {
    static func withServer(_ body: (String) throws -> Void) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fluxion-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = try runProduct("alerts-crash-writer", [dir.path, "12"])
        #expect(writer.status == 0, "\(writer.err)")
        let server = try ServerProcess(["--data", dir.path])
        defer { server.stop() }
        try body("127.0.0.1:\(server.port)")
    }

    @Test func listsAsJSONCSVAndTableAndAggregates() throws {
        try Self.withServer { address in
            let json = try runProduct(
                "fluxion", ["alerts", "--server", address, "--json", "--since", "6", "--until", "20"])
            #expect(json.status == 0, "\(json.err)")
            let array = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [[String: Any]])
            // Raised at 7, 13 and 19 s of simulated time.
            #expect(array.compactMap { $0["alert_id"] as? String } == ["ALR-2", "ALR-3", "ALR-4"])

            let csvPath = FileManager.default.temporaryDirectory.appendingPathComponent(
                "alerts-\(UUID().uuidString).csv"
            ).path
            defer { try? FileManager.default.removeItem(atPath: csvPath) }
            let csv = try runProduct("fluxion", ["alerts", "--server", address, "--csv", csvPath])
            #expect(csv.status == 0, "\(csv.err)")
            let lines = try String(contentsOfFile: csvPath, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 7)  // header + 6 alerts
            #expect(lines.first?.hasPrefix("alert_id,detector,state,") == true)
            #expect(lines[1].hasPrefix("ALR-1,crash-test,cleared,1.0,"))

            let table = try runProduct("fluxion", ["alerts", "--server", address, "--limit", "2"])
            #expect(table.out.contains("(2 of 6; raise --limit to see more)"))

            let by = try runProduct("fluxion", ["alerts", "--server", address, "--by", "detector"])
            let row = by.out.split(separator: "\n").last.map { $0.split(separator: " ").map(String.init) }
            #expect(row == ["crash-test", "6", "0.950", "0.950"])
        }
    }

    @Test func badOptionsAreOneLineErrors() throws {
        let r = try runProduct("fluxion", ["alerts", "--by", "week"])
        #expect(r.status != 0)
        #expect(r.err.hasPrefix("Error: --by must be station, hour, detector or network, got 'week'"))
    }
}

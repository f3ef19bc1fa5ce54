import FluxionAlerts
import FluxionTestSupport
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

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

    @Test func acknowledgeShelveAndFilterByAlarmState() throws {
        try Self.withServer { address in
            let s = ["--server", address]
            let ack = try runProduct("fluxion", ["alerts", "ack", "ALR-2", "--operator", "alice"] + s)
            #expect(ack.status == 0, "\(ack.err)")
            #expect(ack.out.hasPrefix("ALR-2 normal acknowledged by alice at "), "\(ack.out)")
            // `fluxion alerts` as before, with the ALARM column.
            let table = try runProduct("fluxion", ["alerts"] + s)
            let rows = table.out.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
            #expect(rows.first?.prefix(4) == ["ID", "DETECTOR", "STATE", "ALARM"])
            #expect(
                rows.dropFirst().map { $0[3] } == ["unacked-rtn", "normal"] + Array(repeating: "unacked-rtn", count: 4))

            let oneShot = try runProduct("fluxion", ["alerts", "shelve", "ALR-4", "--one-shot", "--reason", "x"] + s)
            #expect(oneShot.status != 0)
            #expect(oneShot.err.hasPrefix("Error: FAILED_PRECONDITION: alert ALR-4 has cleared"), "\(oneShot.err)")
            let shelve = try runProduct(
                "fluxion", ["alerts", "shelve", "ALR-4", "--for", "1h30m", "--reason", "bypass in use", "--json"] + s)
            #expect(shelve.status == 0, "\(shelve.err)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(shelve.out.utf8)) as? [String: Any])
            #expect(object["alarm_state"] as? String == "shelved")
            let shelving = try #require(object["shelving"] as? [String: Any])
            let until = try #require(shelving["until_wall_unix_ns"] as? Int64)
            let at = try #require(shelving["shelved_wall_unix_ns"] as? Int64)
            #expect(until - at == 5400 * 1_000_000_000 && shelving["reason"] as? String == "bypass in use")

            func ids(_ options: [String]) throws -> [String] {
                let r = try runProduct("fluxion", ["alerts", "--json"] + options + s)
                #expect(r.status == 0, "\(r.err)")
                let array = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [[String: Any]]
                return array?.compactMap { $0["alert_id"] as? String } ?? []
            }
            #expect(try ids(["--unacked"]) == ["ALR-1", "ALR-3", "ALR-5", "ALR-6"])
            #expect(try ids(["--alarm-state", "shelved"]) == ["ALR-4"])
            #expect(try ids(["--alarm-state", "normal", "--alarm-state", "shelved"]) == ["ALR-2", "ALR-4"])
            let unshelve = try runProduct("fluxion", ["alerts", "unshelve", "ALR-4"] + s)
            #expect(unshelve.out == "ALR-4 unacked-rtn\n", "\(unshelve.err)")

            let csv = try runProduct("fluxion", ["alerts", "--csv", "-"] + s)
            let lines = csv.out.split(separator: "\n")
            #expect(
                lines.first?.hasSuffix(
                    ",network,alarm_state,acked_by,acked_token_id,acked_wall_unix_ns,ack_comment,shelve_kind,shelved_until_wall_unix_ns,shelve_reason,shelved_by,shelved_token_id"
                ) == true)
            #expect(lines.count == 7 && lines[2].contains(",normal,alice,,"))
        }
    }

    @Test func badAlarmOptionsAreOneLineErrors() throws {
        for (arguments, message) in [
            (["alerts", "--alarm-state", "loud"], "Error: --alarm-state must be unacked_active, acked_active"),
            (
                ["alerts", "shelve", "ALR-1", "--reason", "r"],
                "Error: give --for DURATION (e.g. --for 2h) or --one-shot"
            ),
            (
                ["alerts", "shelve", "ALR-1", "--for", "0s", "--reason", "r"],
                "Error: --for must be 1 s … 30 days, got '0s'"
            ),
            (
                ["alerts", "shelve", "ALR-1", "--for", "1h", "--one-shot", "--reason", "r"],
                "Error: --for and --one-shot cannot be combined"
            ),
            (["alerts", "shelve", "ALR-1", "--for", "1h", "--reason", " "], "Error: --reason is empty"),
        ] {
            let r = try runProduct("fluxion", arguments)
            #expect(r.status != 0)
            #expect(r.err.hasPrefix(message), "\(arguments): \(r.err)")
        }
    }

    @Test func badOptionsAreOneLineErrors() throws {
        let r = try runProduct("fluxion", ["alerts", "--by", "week"])
        #expect(r.status != 0)
        #expect(r.err.hasPrefix("Error: --by must be station, hour, detector or network, got 'week'"))
    }
}

/// `fluxion alerts --follow` on one server of a shared PostgreSQL store shows the alerts of
/// other networks as they are stored, together, with their NETWORK column; `--network` narrows.
@Suite struct AlertsFollowAcrossNetworksTests {
    /// A CLI process whose standard output is collected as it comes; killed on every path.
    final class Follower: @unchecked Sendable {
        let process = Process()
        private let output = Mutex("")
        init(_ arguments: [String]) throws {
            process.executableURL = URL(fileURLWithPath: Products.path("fluxion"))
            process.arguments = arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let handle = pipe.fileHandleForReading
            Thread { [self] in
                while true {
                    let data = handle.availableData
                    if data.isEmpty { break }
                    output.withLock { $0 += String(decoding: data, as: UTF8.self) }
                }
            }.start()
        }
        var lines: [String] { output.withLock { $0 }.split(separator: "\n").map(String.init) }
        func wait(seconds: Double = 20, until done: ([String]) -> Bool) -> Bool {
            let end = Date().addingTimeInterval(seconds)
            while Date() < end, !done(lines) { usleep(50_000) }
            return done(lines)
        }
        func stop() {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
    }

    @Test func followShowsSeveralNetworksTogether() throws {
        let pg = try TestPostgres()
        defer { pg.stop() }
        let url = try pg.createDatabase()
        let server = try ServerProcess(["--alerts", url, "--network", "control"])
        defer { server.stop() }
        let address = "127.0.0.1:\(server.port)"
        let all = try Follower(["alerts", "--server", address, "--follow"])
        defer { all.stop() }
        let north = try Follower(["alerts", "--server", address, "--follow", "--network", "north"])
        defer { north.stop() }
        Thread.sleep(forTimeInterval: 1)  // both calls open
        // Two other writers of the same database (as their servers would write).
        for (network, n) in [("north", 1), ("south", 1), ("north", 2)] {
            let store = try PostgresAlertStore(url: url, network: network)
            try store.save(
                AlertRecord(
                    id: "ALR-\(n)", detector: "threshold", raisedSimTimeS: 10 * Double(n), raisedWallUnixNs: 1,
                    probability: 0.9, pipeID: "P1", positionM: 100, network: network))
            store.close()
        }
        func rows(_ lines: [String]) -> [String] { lines.filter { $0.hasPrefix("ALR-") } }
        #expect(all.wait { rows($0).count == 3 }, "\(all.lines)")
        #expect(north.wait { rows($0).count == 2 }, "\(north.lines)")
        Thread.sleep(forTimeInterval: 0.5)
        #expect(all.lines.first?.hasSuffix("NETWORK") == true, "\(all.lines)")
        #expect(
            rows(all.lines).map { $0.split(separator: " ").last.map(String.init) ?? "" } == ["north", "south", "north"])
        #expect(rows(north.lines).allSatisfy { $0.hasSuffix(" north") })
        #expect(rows(north.lines).count == 2)
    }
}

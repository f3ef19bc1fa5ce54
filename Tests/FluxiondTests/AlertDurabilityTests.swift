import FluxionAlerts
import FluxionClient
import FluxionWire
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// kill -9 durability: every alert a client could have been told of is in the store after a crash.
///
/// Why a child process and not fluxiond itself: in this branch no detector feeds fluxiond, and
/// a test-only "raise an alert" RPC would be a hook into the production server. Instead
/// `alerts-crash-writer` runs the same engine → `SQLiteAlertStore.save` → then-report sequence as
/// `AlertService.ingest` (its "report" is a line on stdout, written unbuffered after `save`
/// returned); it is SIGKILLed at a random moment, and every line it printed must be in the
/// store. The real fluxiond is then started on that data directory and must serve them all.
@Suite struct AlertDurabilityTests {
    /// Runs the writer until it has printed `stopAfter` lines (plus whatever it prints in a
    /// random 0–5 ms more), SIGKILLs it and returns every line it printed.
    static func runAndKill(_ dir: String, stopAfter: Int) throws -> [(id: String, state: String)] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Products.path("alerts-crash-writer"))
        p.arguments = [dir]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        defer {
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            p.waitUntilExit()
        }
        let fd = out.fileHandleForReading.fileDescriptor
        var text = [UInt8]()
        var lines = 0
        var byte: UInt8 = 0
        while lines < stopAfter, read(fd, &byte, 1) == 1 {
            text.append(byte)
            if byte == UInt8(ascii: "\n") { lines += 1 }
        }
        usleep(UInt32.random(in: 0...5_000))
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal, "the writer must die by the signal, not exit on its own")
        text += out.fileHandleForReading.readDataToEndOfFile()  // lines printed before the kill
        return String(decoding: text, as: UTF8.self).split(separator: "\n").map { line in
            let parts = line.split(separator: " ")
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
    }

    @Test func everyReportedAlertSurvivesKillDashNine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fluxion-kill9-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var everyRaised: [String] = []
        for round in 0..<3 {
            let reported = try Self.runAndKill(dir.path, stopAfter: Int.random(in: 20...300))
            #expect(reported.count >= 20, "round \(round): the writer printed \(reported.count) lines")
            let store = try SQLiteAlertStore(directory: dir.path)
            for (id, state) in reported {
                let stored = try store.alert(id: id)
                #expect(stored != nil, "round \(round): \(id) was reported \(state) and is missing after kill -9")
                if state == "cleared" { #expect(stored?.state == .cleared, "round \(round): \(id) reported cleared") }
            }
            everyRaised += reported.filter { $0.state == "raised" }.map(\.id)
            store.close()
        }
        #expect(Set(everyRaised).count == everyRaised.count, "an alert id was reused across restarts")

        // The real server on that data directory serves every reported alert.
        let server = try ServerProcess(["--data", dir.path])
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        var served = Set<String>()
        var token = ""
        repeat {
            let page: Wire.QueryAlertsResponse = try conn.unary(
                Wire.Fluxion.queryAlerts, Wire.QueryAlertsRequest(pageSize: 1000, pageToken: token))
            served.formUnion(page.alerts.map(\.alertID))
            token = page.nextPageToken
        } while !token.isEmpty
        #expect(Set(everyRaised).isSubset(of: served))
    }
}

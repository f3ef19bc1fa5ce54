import FluxionClient
import FluxionWire
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A new user's first minutes, as the README's "First leak, first alert" tells them: fluxiond as
/// `make run ARGS="--speed 60"` starts it, then the CLI commands as written. The alert must come,
/// on the right pipe, with a position within the threshold detector's documented accuracy.
///
/// Before the warm start, nothing was ever raised: the detector spent its first simulated hour
/// learning, and a leak injected then was learned as normal.
@Suite struct FirstContactTests {
    /// The README's walkthrough. Tolerances are the documented held-out figures
    /// (docs/DETECTION.md, absheron): detection within the p90 time (884 s simulated), position
    /// at detection within the p90 error (11.8 % of the pipe: 5.1 km of T2's 43 km). One case
    /// drawn at a wall-clock-dependent instant, so the p90s, not the medians, are the bounds.
    @Test func theReadmeWalkthroughRaisesTheAlert() throws {
        // `make run ARGS="--speed 60"` = fluxiond --host 127.0.0.1 --port 7400 --detector threshold --speed 60
        let server = try ServerProcess(["--detector", "threshold", "--speed", "60"])
        defer { server.stop() }
        let address = ["--server", "127.0.0.1:\(server.port)"]

        let list = try runProduct("fluxion", ["detectors", "list"] + address)
        #expect(list.status == 0)
        let line = list.out.split(separator: "\n").first { $0.hasPrefix("threshold ") } ?? ""
        #expect(line.contains("active") && !line.contains("learning"), "\(list.out)")

        let inject = try runProduct(
            "fluxion", ["inject-leak", "--pipe", "T2", "--at", "12000", "--size", "0.02", "--json"] + address)
        #expect(inject.status == 0, "\(inject.err)")
        #expect(!inject.err.contains("warning"), "a warmed-up detector is not learning: \(inject.err)")
        let leak = try JSONSerialization.jsonObject(with: Data(inject.out.utf8)) as? [String: Any] ?? [:]
        let injectedAt = leak["start_sim_time_s"] as? Double ?? .nan
        #expect(injectedAt >= 3600, "the clock starts where the warm-up history ends: \(injectedAt)")

        // `fluxion alerts --follow`, read until the first alert (bounded: 60 s of wall time, four
        // times the p90 at 60×).
        let follow = Process()
        follow.executableURL = URL(fileURLWithPath: Products.path("fluxion"))
        follow.arguments = ["alerts", "--follow", "--json"] + address
        let out = Pipe()
        follow.standardOutput = out
        follow.standardError = Pipe()
        try follow.run()
        defer {
            if follow.isRunning { kill(follow.processIdentifier, SIGKILL) }
            follow.waitUntilExit()
        }
        let deadline = DispatchTime.now() + .seconds(60)
        let reader = DispatchQueue(label: "follow")
        let firstLine = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var text = ""
        reader.async {
            var bytes: [UInt8] = []
            var byte: UInt8 = 0
            while read(out.fileHandleForReading.fileDescriptor, &byte, 1) == 1, byte != 10 { bytes.append(byte) }
            text = String(decoding: bytes, as: UTF8.self)
            firstLine.signal()
        }
        guard firstLine.wait(timeout: deadline) == .success else {
            Issue.record("no alert within 60 s of wall time")
            return
        }
        let alert = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
        #expect(alert["pipe_id"] as? String == "T2", "\(text)")
        let raised = alert["raised_sim_time_s"] as? Double ?? .nan
        #expect(raised - injectedAt <= 884, "detected \(raised - injectedAt) s after the leak")
        let position = alert["position_m"] as? Double ?? .nan
        #expect(abs(position - 12_000) <= 0.118 * 43_000, "placed at \(position) m")
    }

    /// Without a warm start the detector is seen learning, and InjectLeak says so.
    @Test func learningIsVisibleAndInjectLeakWarns() throws {
        let server = try ServerProcess(["--detector", "threshold", "--warm-up", "0", "--paused"])
        defer { server.stop() }
        let address = ["--server", "127.0.0.1:\(server.port)"]
        let list = try runProduct("fluxion", ["detectors", "list", "--json"] + address)
        let detectors = try JSONSerialization.jsonObject(with: Data(list.out.utf8)) as? [[String: Any]] ?? []
        let threshold = detectors.first { $0["name"] as? String == "threshold" }
        #expect(threshold?["learning_remaining_s"] as? Double == 3600, "\(list.out)")
        let text = try runProduct("fluxion", ["detectors", "list"] + address)
        #expect(text.out.contains("learning: 1 h 0 min of simulated time left"), "\(text.out)")

        let inject = try runProduct(
            "fluxion", ["inject-leak", "--pipe", "T2", "--at", "12000", "--size", "0.02"] + address)
        #expect(inject.status == 0)
        #expect(
            inject.err.contains(
                "warning: detector threshold is still learning normal operation (1 h 0 min of simulated time left): it learns this leak as normal and will not raise it"
            ), "\(inject.err)")
    }

    /// `fluxion clock --speed` on a paused clock kept it running (SetClock sent paused = false),
    /// and the clock line printed 17 digits of seconds. QueryAlerts refused "from T on".
    @Test func clockAndAlertQueriesBehaveAsAUserExpects() throws {
        let server = try ServerProcess(["--paused", "--warm-up", "0"])
        defer { server.stop() }
        let address = ["--server", "127.0.0.1:\(server.port)"]
        let clock = try runProduct("fluxion", ["clock", "--speed", "5"] + address)
        #expect(clock.status == 0, "\(clock.err)")
        #expect(clock.out.hasPrefix("t = 0.0 s (0.0 s), paused (speed 5×), step 0 (Δt 0.680 s)"), "\(clock.out)")
        let resumed = try runProduct("fluxion", ["clock", "--resume"] + address)
        #expect(resumed.out.contains(", speed 5×,"), "\(resumed.out)")

        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 20)
        defer { conn.close() }
        var request = Wire.QueryAlertsRequest()
        request.filter = Wire.AlertFilter(simTime: Wire.SimTimeRange(startS: 3600, endS: .infinity))
        let page: Wire.QueryAlertsResponse = try conn.unary(Wire.Fluxion.queryAlerts, request)
        #expect(page.alerts.isEmpty)
        request.filter = Wire.AlertFilter(simTime: Wire.SimTimeRange(startS: 3600, endS: 0))
        let e = #expect(throws: RPCError.self) {
            let _: Wire.QueryAlertsResponse = try conn.unary(Wire.Fluxion.queryAlerts, request)
        }
        #expect(e?.message.contains("end_s = +inf") == true)
    }

    /// The warm start never runs into a leak the scenario schedules: water-main-leak opens one
    /// at 20 s, so the history stops there and the detector is shown still learning.
    @Test func theWarmStartStopsBeforeAScheduledLeak() throws {
        let server = try ServerProcess(["--scenario", "water-main-leak", "--detector", "threshold", "--paused"])
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 20)
        defer { conn.close() }
        let clock: Wire.Clock = try conn.unary(Wire.Fluxion.getClock, Wire.GetClockRequest())
        #expect(clock.simTimeS < 20 && clock.simTimeS >= 19, "\(clock.simTimeS)")
        let leaks: Wire.ListLeaksResponse = try conn.unary(Wire.Fluxion.listLeaks, Wire.ListLeaksRequest())
        #expect(leaks.leaks.first?.state == .scheduled, "the scripted leak is still ahead")
        let list: Wire.ListDetectorsResponse = try conn.unary(Wire.Fluxion.listDetectors, Wire.ListDetectorsRequest())
        let threshold = list.detectors.first { $0.name == "threshold" }
        #expect((threshold?.learningRemainingS ?? 0) > 90, "\(String(describing: threshold))")
    }
}

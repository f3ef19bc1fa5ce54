import FluxionClient
import FluxionWire
import Foundation
import Testing

/// The whole chain on the real binaries: the threshold plugin loaded into fluxiond, a leak
/// injected over the wire, an alert raised with a location and the injected leak matched,
/// stored, and still there after the server restarts on the same data directory.
@Suite struct DetectionEndToEndTests {
    /// A 4 km water line with inflow and outflow meters (for the mass balance) and pressure
    /// sensors (for the pressure-wave locator), no scripted leak.
    static let scenario = """
        name: e2e-line
        description: Reservoir, 4 km pipe, demand; meters at both ends, four pressure sensors.
        fluid: {kind: liquid}
        solver: {max_reach_length_m: 20}
        nodes:
          - {id: R, kind: reservoir, head_m: 100, elevation_m: 0, x_m: 0, y_m: 0}
          - {id: D, kind: demand, flow: 0.2, elevation_m: 0, x_m: 4000, y_m: 0}
        pipes:
          - {id: P, from: R, to: D, length_m: 4000, diameter_m: 0.5, roughness_m: 0.0001, wave_speed_m_s: 1000}
        lines:
          - {id: main, pipes: [P]}
        sensors:
          - {id: FT-in, quantity: flow, pipe: P, position_m: 0, sample_rate_hz: 10, noise_std: 0.0005}
          - {id: FT-out, quantity: flow, node: D, sample_rate_hz: 10, noise_std: 0.0005}
          - {id: PT-0500, quantity: pressure, pipe: P, position_m: 500, sample_rate_hz: 50, noise_std: 200}
          - {id: PT-1500, quantity: pressure, pipe: P, position_m: 1500, sample_rate_hz: 50, noise_std: 200}
          - {id: PT-2500, quantity: pressure, pipe: P, position_m: 2500, sample_rate_hz: 50, noise_std: 200}
          - {id: PT-3500, quantity: pressure, pipe: P, position_m: 3500, sample_rate_hz: 50, noise_std: 200}
        """

    @Test func leakBecomesAStoredAlertThatSurvivesARestart() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "e2e-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("line.yaml")
        try Self.scenario.write(to: file, atomically: true, encoding: .utf8)
        let data = dir.appendingPathComponent("state").path

        var alert: Wire.Alert?
        do {
            let server = try ServerProcess([
                "--scenario", file.path, "--speed", "20", "--detector", "threshold", "--data", data,
            ])
            defer { server.stop() }
            let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
            defer { conn.close() }
            let list: Wire.ListDetectorsResponse = try conn.unary(
                Wire.Fluxion.listDetectors, Wire.ListDetectorsRequest())
            #expect(list.detectors.contains { $0.name == "threshold" && $0.state == .active })
            // The threshold detector learns normal operation for its first 120 s; the leak comes after.
            let injected: Wire.InjectLeakResponse = try conn.unary(
                Wire.Fluxion.injectLeak,
                Wire.InjectLeakRequest(
                    where: .pipe(Wire.PipePosition(pipeID: "P", positionM: 2200)), size: .sizeFraction(0.03),
                    startSimTimeS: 200))
            let leak = try #require(injected.leak)
            let deadline = Date().addingTimeInterval(60)
            while alert == nil, Date() < deadline {
                usleep(200_000)
                let page: Wire.QueryAlertsResponse = try conn.unary(Wire.Fluxion.queryAlerts, Wire.QueryAlertsRequest())
                alert = page.alerts.first
            }
            let a = try #require(alert, "no alert within 60 s of wall time")
            #expect(a.detector == "threshold")
            #expect(a.raisedSimTimeS >= 200)
            #expect(a.matchedLeakID == leak.leakID)
            #expect(a.pipeID == "P")
            // Localization by pressure-wave timing; 200 m = 5 % of the pipe covers the 50 Hz
            // sampling (20 m of wave travel per sample) and the detector's arrival picking in noise.
            #expect(
                abs(a.positionM - leak.positionM) <= 200,
                "located at \(a.positionM) m, leak at \(leak.positionM) m")
            #expect(server.stop(signal: SIGTERM) == 0)
        }
        let restarted = try ServerProcess(["--scenario", file.path, "--paused", "--data", data])
        defer { restarted.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: restarted.port, callTimeout: 30)
        defer { conn.close() }
        let page: Wire.QueryAlertsResponse = try conn.unary(Wire.Fluxion.queryAlerts, Wire.QueryAlertsRequest())
        #expect(page.alerts.contains { $0.alertID == alert?.alertID && $0.matchedLeakID == alert?.matchedLeakID })
        let cli = try runProduct("fluxion", ["alerts", "--server", "127.0.0.1:\(restarted.port)", "--json"])
        #expect(cli.status == 0)
        #expect(cli.out.contains(alert?.alertID ?? "missing"))
    }
}

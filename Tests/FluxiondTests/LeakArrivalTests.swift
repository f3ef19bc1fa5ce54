import FluxionClient
import FluxionWire
import Foundation
import Testing

/// A leak injected over the wire makes a pressure drop that reaches each pressure sensor, in
/// order of distance, at |x_leak - x_sensor| / a: seen through StreamReadings from the real
/// fluxiond binary running a scenario file.
@Suite struct LeakArrivalTests {
    /// A 4 km water line, noise-free pressure sensors sampled at 100 Hz, Δt = 0.01 s.
    static let scenario = """
        name: arrival-line
        description: Reservoir, 4 km pipe, demand; noise-free pressure sensors for arrival timing.
        fluid: {kind: liquid}
        solver: {max_reach_length_m: 10}
        nodes:
          - {id: R, kind: reservoir, head_m: 100, elevation_m: 0, x_m: 0, y_m: 0}
          - {id: D, kind: demand, flow: 0.2, elevation_m: 0, x_m: 4000, y_m: 0}
        pipes:
          - {id: P, from: R, to: D, length_m: 4000, diameter_m: 0.5, roughness_m: 0.0001, wave_speed_m_s: 1000}
        sensors:
          - {id: PT-0500, quantity: pressure, pipe: P, position_m: 500, sample_rate_hz: 100}
          - {id: PT-1500, quantity: pressure, pipe: P, position_m: 1500, sample_rate_hz: 100}
          - {id: PT-2500, quantity: pressure, pipe: P, position_m: 2500, sample_rate_hz: 100}
          - {id: PT-3500, quantity: pressure, pipe: P, position_m: 3500, sample_rate_hz: 100}
        """

    @Test func pressureDropArrivesAtEachSensorInOrderAtTheWaveTravelTime() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("arrival-\(getpid()).yaml")
        try Self.scenario.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let server = try ServerProcess(["--scenario", file.path, "--speed", "4"])
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }

        let topology: Wire.Topology = try conn.unary(Wire.Fluxion.getTopology, Wire.GetTopologyRequest())
        let a = try #require(topology.pipes.first?.waveSpeedMPerS)
        let positions = Dictionary(uniqueKeysWithValues: topology.sensors.map { ($0.id, $0.positionM) })
        var request = Wire.StreamReadingsRequest()
        request.quantities = [.pressure]
        let stream = try conn.serverStream(Wire.Fluxion.streamReadings, request, as: Wire.ReadingBatch.self)
        let clock: Wire.Clock = try conn.unary(Wire.Fluxion.getClock, Wire.GetClockRequest())
        let start = (clock.simTimeS + 1.0).rounded()
        let leak: Wire.InjectLeakResponse = try conn.unary(
            Wire.Fluxion.injectLeak,
            Wire.InjectLeakRequest(
                where: .pipe(Wire.PipePosition(pipeID: "P", positionM: 1200)), size: .sizeFraction(0.05),
                startSimTimeS: start))
        let xLeak = try #require(leak.leak).positionM

        var baseline: [String: Double] = [:]
        var arrival: [String: Double] = [:]
        while arrival.count < 4, let batch = try stream.next() {
            #expect(batch.skippedBatches == 0)
            for r in batch.readings {
                if r.simTimeS <= start { baseline[r.sensorID] = r.value; continue }
                // 2 kPa: far above rounding, far below the ~25 kPa first drop of a 5 % leak here.
                if arrival[r.sensorID] == nil, let b = baseline[r.sensorID], b - r.value > 2000 {
                    arrival[r.sensorID] = r.simTimeS
                }
            }
            if batch.simTimeS > start + 10 { break }
        }
        stream.cancel()
        #expect(arrival.count == 4)
        let order = arrival.sorted { $0.value < $1.value }.map(\.key)
        let byDistance = positions.keys.sorted { abs(positions[$0]! - xLeak) < abs(positions[$1]! - xLeak) }
        #expect(order == byDistance)
        for (id, t) in arrival {
            let expected = start + abs(positions[id]! - xLeak) / a
            // Tolerance: one sample period (0.01 s) plus one time step (0.01 s): the drop is
            // first visible at the first sample at or after the wave's arrival.
            #expect(abs(t - expected) <= 0.02 + 1e-9, "\(id): arrived at \(t) s, expected \(expected) s")
        }
    }
}

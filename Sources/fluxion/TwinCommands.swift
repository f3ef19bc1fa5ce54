import ArgumentParser
import FluxionClient
import FluxionWire
import Foundation

struct TopologyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topology", abstract: "Show the twin's network: stations, pipes, lines and sensors.")

    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        let conn = try connection.connect()
        defer { conn.close() }
        let t: Wire.Topology = try rpc { () throws(RPCError) in
            try conn.unary(Wire.Fluxion.getTopology, Wire.GetTopologyRequest())
        }
        if connection.json {
            printJSON([
                "scenario": t.scenario, "fluid": t.fluid,
                "nodes": t.nodes.map {
                    [
                        "id": $0.id, "kind": $0.kind, "x_m": ($0.location ?? Wire.Point()).xM,
                        "y_m": ($0.location ?? Wire.Point()).yM,
                        "elevation_m": $0.elevationM, "station_id": $0.stationID,
                    ] as [String: Any]
                },
                "pipes": t.pipes.map {
                    [
                        "id": $0.id, "from_node": $0.fromNode, "to_node": $0.toNode, "length_m": $0.lengthM,
                        "diameter_m": $0.diameterM, "wave_speed_m_per_s": $0.waveSpeedMPerS,
                        "line_id": $0.lineID, "chainage_start_m": $0.chainageStartM,
                        "nominal_flow": $0.nominalFlow,
                        "geometry": $0.geometry.map { [$0.xM, $0.yM] },
                    ] as [String: Any]
                },
                "stations": t.stations.map {
                    [
                        "id": $0.id, "name": $0.name, "node_id": $0.nodeID,
                        "x_m": ($0.location ?? Wire.Point()).xM, "y_m": ($0.location ?? Wire.Point()).yM,
                    ] as [String: Any]
                },
                "sensors": t.sensors.map {
                    [
                        "id": $0.id, "quantity": $0.quantity.name, "unit": $0.unit, "pipe_id": $0.pipeID,
                        "position_m": $0.positionM, "node_id": $0.nodeID, "station_id": $0.stationID,
                        "sample_rate_hz": $0.sampleRateHz,
                    ] as [String: Any]
                },
                "lines": t.lines.map {
                    ["id": $0.id, "pipe_ids": $0.pipeIDs, "length_m": $0.lengthM] as [String: Any]
                },
            ])
            return
        }
        print(
            "scenario \(t.scenario) (\(t.fluid)): \(t.nodes.count) nodes, \(t.pipes.count) pipes, \(t.sensors.count) sensors"
        )
        print("stations:")
        for s in t.stations { print("  \(s.id.padding(8)) \(s.name) at node \(s.nodeID)") }
        print("pipes:")
        for p in t.pipes {
            let line = p.lineID.isEmpty ? "" : "  line \(p.lineID) from \(Int(p.chainageStartM)) m"
            print(
                "  \(p.id.padding(8)) \(p.fromNode) → \(p.toNode)  \(Int(p.lengthM)) m, Ø \(p.diameterM) m, a = \(Int(p.waveSpeedMPerS)) m/s\(line)"
            )
        }
        print("sensors:")
        for s in t.sensors {
            let place = s.pipeID.isEmpty ? "node \(s.nodeID)" : "\(s.pipeID) at \(Int(s.positionM)) m"
            let station = s.stationID.isEmpty ? "" : "  [\(s.stationID)]"
            print(
                "  \(s.id.padding(10)) \(s.quantity.name.padding(22)) \(s.unit.padding(6)) \(place), \(s.sampleRateHz) Hz\(station)"
            )
        }
    }
}

struct ClockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clock", abstract: "Show or change the simulation clock (speed, pause, free-running).")

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Simulated seconds per wall second.") var speed: Double?
    @Flag(help: "Pause the simulation.") var pause = false
    @Flag(help: "Resume at the current speed (real-time mode).") var resume = false
    @Flag(help: "Step as fast as possible.") var freeRunning = false

    func validate() throws {
        if let speed, !(speed > 0 && speed.isFinite) { throw ValidationError("--speed must be positive, got \(speed)") }
        if pause && (resume || freeRunning) {
            throw ValidationError("--pause cannot go with --resume or --free-running")
        }
    }

    func run() throws {
        let conn = try connection.connect()
        defer { conn.close() }
        let change = speed != nil || pause || resume || freeRunning
        let clock: Wire.Clock = try rpc { () throws(RPCError) in
            let now: Wire.Clock = try conn.unary(Wire.Fluxion.getClock, Wire.GetClockRequest())
            guard change else { return now }
            // --speed alone changes the speed and nothing else: a paused clock stays paused, a
            // free-running one keeps running free.
            let paused = pause || (!resume && !freeRunning && now.paused)
            let free = freeRunning || (!resume && !pause && speed == nil && now.freeRunning)
            return try conn.unary(
                Wire.Fluxion.setClock, Wire.SetClockRequest(speed: speed ?? 0, paused: paused, freeRunning: free))
        }
        if connection.json {
            printJSON([
                "sim_time_s": clock.simTimeS, "speed": clock.speed, "paused": clock.paused,
                "free_running": clock.freeRunning, "tick": clock.tick, "time_step_s": clock.timeStepS,
            ])
        } else {
            let speed = String(format: "%g", clock.speed)
            let mode =
                clock.paused ? "paused (speed \(speed)×)" : clock.freeRunning ? "free-running" : "speed \(speed)×"
            print(
                "t = \(formatDuration(clock.simTimeS)) (\(String(format: "%.1f", clock.simTimeS)) s), \(mode), step \(clock.tick) (Δt \(String(format: "%.3f", clock.timeStepS)) s)"
            )
        }
    }
}

struct SensorFaultCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sensor-fault", abstract: "Make a sensor fail (dropout, freeze) or recover (none).")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Sensor id.") var sensor: String
    @Argument(help: "none, dropout or freeze.") var fault: String

    func validate() throws {
        guard ["none", "dropout", "freeze"].contains(fault) else {
            throw ValidationError("fault must be none, dropout or freeze; got '\(fault)'")
        }
    }

    func run() throws {
        let f: Wire.SensorFault = fault == "dropout" ? .dropout : fault == "freeze" ? .freeze : .none
        let conn = try connection.connect()
        defer { conn.close() }
        let _: Wire.SetSensorFaultResponse = try rpc { () throws(RPCError) in
            try conn.unary(Wire.Fluxion.setSensorFault, Wire.SetSensorFaultRequest(sensorID: sensor, fault: f))
        }
        if connection.json { printJSON(["sensor_id": sensor, "fault": fault]) } else { print("\(sensor): \(fault)") }
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

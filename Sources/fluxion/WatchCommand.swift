import ArgumentParser
import FluxionClient
import FluxionWire
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Watch the twin live: per-station readings with trends, line pressures, open leaks.",
        discussion: """
            On a terminal the view refreshes in place (Ctrl-C to quit). With --json, every reading
            is printed as one JSON object per line (NDJSON), for other programs.
            """)

    @OptionGroup var connection: ConnectionOptions
    @Option(name: .customLong("sensor"), help: "Only this sensor (repeatable).") var sensors: [String] = []
    @Option(name: .customLong("station"), help: "Only sensors of this station (repeatable).") var stations: [String] =
        []
    @Option(name: .customLong("pipe"), help: "Only sensors on this pipe (repeatable).") var pipes: [String] = []
    @Option(
        name: .customLong("quantity"),
        help:
            "Only this quantity: pressure, flow, temperature, density, differential_pressure, totalized_flow, head (repeatable)."
    )
    var quantities: [String] = []
    @Option(help: "At most this many batches per second (0: all).") var maxRate: Double = 0
    @Option(help: "Stop after this many batches (0: run until interrupted).") var count: Int = 0

    func validate() throws {
        let known = Wire.Quantity.allCases.filter { $0 != .unspecified }
        for q in quantities where !known.contains(where: { $0.name == q }) {
            throw ValidationError(
                "--quantity '\(q)' is not one of \(known.map(\.name).joined(separator: ", "))")
        }
        guard maxRate >= 0 else { throw ValidationError("--max-rate must be ≥ 0") }
        guard count >= 0 else { throw ValidationError("--count must be ≥ 0") }
    }

    func run() throws {
        var request = Wire.StreamReadingsRequest()
        request.sensorIDs = sensors
        request.stationIDs = stations
        request.pipeIDs = pipes
        request.quantities = quantities.compactMap { Wire.Quantity(name: $0) }
        request.maxRateHz = maxRate
        let conn = try connection.connect()
        defer { conn.close() }
        let topology: Wire.Topology = try rpc { () throws(RPCError) in
            try conn.unary(Wire.Fluxion.getTopology, Wire.GetTopologyRequest())
        }
        let stream: ClientStream<Wire.ReadingBatch> = try rpc { () throws(RPCError) in
            try conn.serverStream(Wire.Fluxion.streamReadings, request)
        }
        if connection.json {
            try streamJSON(stream)
        } else {
            try liveView(stream, conn: conn, topology: topology)
        }
    }

    private func streamJSON(_ stream: ClientStream<Wire.ReadingBatch>) throws {
        var batches = 0
        while let batch = try rpc({ () throws(RPCError) in try stream.next() }) {
            for r in batch.readings {
                let object: [String: Any] = [
                    "tick": batch.tick, "sim_time_s": r.simTimeS, "wall_time_unix_ns": r.wallTimeUnixNs,
                    "sensor_id": r.sensorID, "quantity": r.quantity.name, "value": r.valid ? r.value : NSNull(),
                    "unit": r.unit, "valid": r.valid, "skipped_batches": batch.skippedBatches,
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            }
            fflush(nil)
            batches += 1
            if count > 0, batches >= count {
                stream.cancel()
                return
            }
        }
    }

    private func liveView(
        _ stream: ClientStream<Wire.ReadingBatch>, conn: FluxionConnection, topology: Wire.Topology
    ) throws {
        let view = LiveView(topology: topology, server: connection.server)
        let tty = isatty(1) == 1
        var batches = 0
        var lastDraw = Date.distantPast
        var lastLeakPoll = Date.distantPast
        while let batch = try rpc({ () throws(RPCError) in try stream.next() }) {
            view.apply(batch)
            batches += 1
            let done = count > 0 && batches >= count
            if Date().timeIntervalSince(lastLeakPoll) > 2 || done {
                lastLeakPoll = Date()
                if let leaks: Wire.ListLeaksResponse = try? conn.unary(Wire.Fluxion.listLeaks, Wire.ListLeaksRequest())
                {
                    view.leaks = leaks.leaks
                }
            }
            if done || (tty && Date().timeIntervalSince(lastDraw) > 0.25) {
                lastDraw = Date()
                print((tty ? "\u{1B}[H\u{1B}[2J" : "") + view.render(), terminator: "")
                fflush(nil)
            }
            if done {
                stream.cancel()
                return
            }
        }
    }
}

import FluxionWire
import Foundation

/// The text of `fluxion watch`: stations with their instruments, line pressures, open leaks.
final class LiveView {
    private struct Latest {
        var value: Double
        var unit: String
        var valid: Bool
        var history: [Double] = []
    }

    private let topology: Wire.Topology
    private let server: String
    private var latest: [String: Latest] = [:]
    private var simTimeS = 0.0
    private var skipped: UInt64 = 0
    var leaks: [Wire.Leak] = []

    init(topology: Wire.Topology, server: String) {
        self.topology = topology
        self.server = server
    }

    func apply(_ batch: Wire.ReadingBatch) {
        simTimeS = batch.simTimeS
        skipped += batch.skippedBatches
        for r in batch.readings {
            var l = latest[r.sensorID] ?? Latest(value: r.value, unit: r.unit, valid: r.valid)
            l.value = r.value
            l.valid = r.valid
            if r.valid {
                l.history.append(r.value)
                if l.history.count > 10 { l.history.removeFirst(l.history.count - 10) }
            }
            latest[r.sensorID] = l
        }
    }

    func render() -> String {
        var out = "Fluxion · \(topology.scenario) (\(topology.fluid)) · t = \(formatDuration(simTimeS)) · \(server)"
        if skipped > 0 { out += " · \(skipped) batches skipped (slow terminal)" }
        out += "\n\n"
        let columns: [Wire.Quantity] = [
            .pressure, .differentialPressure, .temperature, .density, .flow, .totalizedFlow,
        ]
        let headers = ["PRESSURE", "DIFF. PRESSURE", "TEMPERATURE", "DENSITY", "FLOW", "TOTAL"]
        out += "STATION".padding(12) + headers.map { $0.padding(19) }.joined() + "\n"
        for station in topology.stations {
            var row = station.name.padding(12)
            for q in columns {
                let sensor = topology.sensors.first { $0.stationID == station.id && $0.quantity == q }
                row += (sensor.map { cell($0.id) } ?? "—").padding(19)
            }
            out += row + "\n"
        }
        let line = topology.sensors.filter { $0.stationID.isEmpty }
        if !line.isEmpty {
            out += "\nLINE INSTRUMENTS\n"
            for s in line {
                let place = s.pipeID.isEmpty ? "node \(s.nodeID)" : "\(s.pipeID) @ \(Int(s.positionM)) m"
                out += "  " + s.id.padding(12) + place.padding(18) + cell(s.id) + "\n"
            }
        }
        out += "\nOPEN LEAKS\n"
        out += leaks.isEmpty ? "  none\n" : leaks.map { "  " + $0.summary + "\n" }.joined()
        return out
    }

    private func cell(_ sensorID: String) -> String {
        guard let l = latest[sensorID] else { return "…" }
        guard l.valid else { return "FAULT" }
        var (value, unit) = (l.value, l.unit)
        if unit == "Pa" { (value, unit) = (value / 1000, "kPa") }
        let text =
            abs(value) >= 100_000
            ? String(format: "%.0f", value)
            : abs(value) >= 100
                ? String(format: "%.1f", value)
                : String(format: "%.4g", value)
        return "\(text) \(unit) \(trend(l.history))"
    }

    /// ↑ or ↓ when the newest value differs from the oldest kept one by more than 0.2 %.
    private func trend(_ h: [Double]) -> String {
        guard let first = h.first, let last = h.last, h.count > 1 else { return " " }
        let scale = max(abs(first), abs(last), 1e-12)
        let change = (last - first) / scale
        return change > 0.002 ? "↑" : change < -0.002 ? "↓" : "→"
    }
}

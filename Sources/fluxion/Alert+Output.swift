import FluxionWire
import Foundation

/// How the CLI prints an alert: a table row, a CSV row, a JSON object.
extension Wire.Alert {
    /// Column widths of the table; a negative width right-aligns.
    private static let widths = [10, 12, 8, -10, -10, -5, 9, 18, 9, -7, 9, 0]

    static let tableHeader = row([
        "ID", "DETECTOR", "STATE", "RAISED s", "CLEARED s", "P", "SEVERITY", "PIPE @ m",
        "STATION", "SIZE %", "LEAK", "NETWORK",
    ])

    var tableRow: String {
        Self.row([
            alertID, detector, state.name, String(format: "%.1f", raisedSimTimeS),
            state == .cleared ? String(format: "%.1f", clearedSimTimeS) : "-", String(format: "%.2f", probability),
            severity.name, pipeID.isEmpty ? "-" : "\(pipeID) @ \(Int(positionM.rounded()))",
            stationID.isEmpty ? "-" : stationID,
            estimatedSizeFraction > 0 ? String(format: "%.2f", estimatedSizeFraction * 100) : "-",
            matchedLeakID.isEmpty ? "-" : matchedLeakID, network.isEmpty ? "-" : network,
        ])
    }

    /// Cells padded to `widths` (String(format:) cannot pad Swift strings on Linux).
    static func row(_ cells: [String]) -> String {
        zip(cells, widths).map { cell, width in
            let n = max(abs(width) - cell.count, 0)
            let pad = String(repeating: " ", count: n)
            return width < 0 ? pad + cell : cell + pad
        }.joined(separator: " ")
    }

    static let csvHeader =
        "alert_id,detector,state,raised_sim_time_s,raised_wall_unix_ns,cleared_sim_time_s,"
        + "cleared_wall_unix_ns,probability,severity,pipe_id,position_m,station_id,segment_id,estimated_size_fraction,matched_leak_id,network"

    var csvRow: String {
        [
            alertID, detector, state.name, "\(raisedSimTimeS)", "\(raisedWallUnixNs)",
            state == .cleared ? "\(clearedSimTimeS)" : "", state == .cleared ? "\(clearedWallUnixNs)" : "",
            "\(probability)", severity.name, pipeID, pipeID.isEmpty ? "" : "\(positionM)", stationID, segmentID,
            estimatedSizeFraction > 0 ? "\(estimatedSizeFraction)" : "", matchedLeakID, network,
        ]
        .map(Self.csvField).joined(separator: ",")
    }

    /// RFC 4180: quote a field holding a comma, quote or line break; double the quotes.
    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    var json: [String: Any] {
        [
            "alert_id": alertID, "detector": detector, "state": state.name, "raised_sim_time_s": raisedSimTimeS,
            "raised_wall_unix_ns": raisedWallUnixNs, "cleared_sim_time_s": clearedSimTimeS,
            "cleared_wall_unix_ns": clearedWallUnixNs, "probability": probability, "severity": severity.name,
            "pipe_id": pipeID, "position_m": positionM, "station_id": stationID, "segment_id": segmentID,
            "estimated_size_fraction": estimatedSizeFraction, "matched_leak_id": matchedLeakID, "network": network,
        ]
    }
}

import FluxionWire
import Foundation

/// How the CLI prints an alert: a table row, a CSV row, a JSON object.
extension Wire.Alert {
    /// Column widths of the table; a negative width right-aligns.
    private static let widths = [10, 12, 8, 11, -10, -10, -5, 9, 18, 9, -7, 9, 0]

    static let tableHeader = row([
        "ID", "DETECTOR", "STATE", "ALARM", "RAISED s", "CLEARED s", "P", "SEVERITY", "PIPE @ m",
        "STATION", "SIZE %", "LEAK", "NETWORK",
    ])

    /// The ALARM column: unacked, acked, unacked-rtn, normal, shelved.
    var alarmName: String {
        switch alarmState {
        case .unackedActive: "unacked"
        case .ackedActive: "acked"
        case .unackedReturned: "unacked-rtn"
        case .normal: "normal"
        case .shelved: "shelved"
        case .unspecified: "-"
        case .unrecognized(let n): "\(n)"
        }
    }

    /// One line on the alarm state: "unacked-rtn", "acked by alice (token ops) at …: comment",
    /// "shelved (timed) until … by alice: reason".
    var alarmSummary: String {
        var text = alarmName
        if let s = shelving {
            text += " (\(s.kind == .oneShot ? "one-shot" : "timed")) until \(Self.iso(s.untilWallUnixNs)) by "
            text += Self.who(s.operatorName, s.tokenID) + ": \(s.reason)"
        }
        if let k = acknowledgement {
            text += (shelving == nil ? " " : "; ") + "acknowledged by \(Self.who(k.operatorName, k.tokenID)) at "
            text += Self.iso(k.wallUnixNs) + (k.comment.isEmpty ? "" : ": \(k.comment)")
        }
        return text
    }

    static func who(_ name: String, _ token: String) -> String {
        switch (name.isEmpty, token.isEmpty) {
        case (false, false): "\(name) (token \(token))"
        case (false, true): name
        case (true, false): "token \(token)"
        case (true, true): "-"
        }
    }

    /// UTC, whole seconds: 2026-12-07T20:13:27Z.
    static func iso(_ unixNs: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date(timeIntervalSince1970: Double(unixNs / 1_000_000_000)))
    }

    var tableRow: String {
        Self.row([
            alertID, detector, state.name, alarmName, String(format: "%.1f", raisedSimTimeS),
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
        + "cleared_wall_unix_ns,probability,severity,pipe_id,position_m,station_id,segment_id,estimated_size_fraction,matched_leak_id,network,"
        + "alarm_state,acked_by,acked_token_id,acked_wall_unix_ns,ack_comment,shelve_kind,shelved_until_wall_unix_ns,"
        + "shelve_reason,shelved_by,shelved_token_id"

    var csvRow: String {
        [
            alertID, detector, state.name, "\(raisedSimTimeS)", "\(raisedWallUnixNs)",
            state == .cleared ? "\(clearedSimTimeS)" : "", state == .cleared ? "\(clearedWallUnixNs)" : "",
            "\(probability)", severity.name, pipeID, pipeID.isEmpty ? "" : "\(positionM)", stationID, segmentID,
            estimatedSizeFraction > 0 ? "\(estimatedSizeFraction)" : "", matchedLeakID, network,
            alarmState.name, acknowledgement?.operatorName ?? "", acknowledgement?.tokenID ?? "",
            acknowledgement.map { "\($0.wallUnixNs)" } ?? "", acknowledgement?.comment ?? "",
            shelving.map { $0.kind == .oneShot ? "one_shot" : "timed" } ?? "",
            shelving.map { "\($0.untilWallUnixNs)" } ?? "", shelving?.reason ?? "", shelving?.operatorName ?? "",
            shelving?.tokenID ?? "",
        ]
        .map(Self.csvField).joined(separator: ",")
    }

    /// RFC 4180: quote a field holding a comma, quote or line break; double the quotes.
    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    var json: [String: Any] {
        var object: [String: Any] = [
            "alert_id": alertID, "detector": detector, "state": state.name, "raised_sim_time_s": raisedSimTimeS,
            "raised_wall_unix_ns": raisedWallUnixNs, "cleared_sim_time_s": clearedSimTimeS,
            "cleared_wall_unix_ns": clearedWallUnixNs, "probability": probability, "severity": severity.name,
            "pipe_id": pipeID, "position_m": positionM, "station_id": stationID, "segment_id": segmentID,
            "estimated_size_fraction": estimatedSizeFraction, "matched_leak_id": matchedLeakID, "network": network,
            "alarm_state": alarmState.name,
        ]
        if let k = acknowledgement {
            object["acknowledgement"] = [
                "operator_name": k.operatorName, "token_id": k.tokenID, "wall_unix_ns": k.wallUnixNs,
                "comment": k.comment,
            ]
        }
        if let s = shelving {
            object["shelving"] = [
                "kind": s.kind.name, "until_wall_unix_ns": s.untilWallUnixNs, "reason": s.reason,
                "operator_name": s.operatorName, "token_id": s.tokenID, "shelved_wall_unix_ns": s.shelvedWallUnixNs,
            ]
        }
        return object
    }
}

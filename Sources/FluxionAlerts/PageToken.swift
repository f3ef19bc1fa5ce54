/// The cursor of a paged query: the key of the last alert returned and a fingerprint of the
/// filter it belongs to. Opaque to clients: hex of `1/<sim time bits>/<sequence>/<fingerprint>`.
struct PageToken: Equatable {
    var raisedSimTimeS: Double
    var sequence: Int64
    var fingerprint: UInt64

    init(raisedSimTimeS: Double, sequence: Int64, fingerprint: UInt64) {
        self.raisedSimTimeS = raisedSimTimeS
        self.sequence = sequence
        self.fingerprint = fingerprint
    }

    var encoded: String {
        let text = "1/\(String(raisedSimTimeS.bitPattern, radix: 16))/\(sequence)/\(String(fingerprint, radix: 16))"
        return text.utf8.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    init(decoding token: String) throws(AlertStoreError) {
        let hex = Array(token.utf8)
        guard hex.count % 2 == 0, hex.count <= 256 else {
            throw .badPageToken(reason: "not a token this server issued")
        }
        var bytes: [UInt8] = []
        for i in stride(from: 0, to: hex.count, by: 2) {
            guard let b = UInt8(String(decoding: hex[i..<i + 2], as: UTF8.self), radix: 16) else {
                throw .badPageToken(reason: "not a token this server issued")
            }
            bytes.append(b)
        }
        let parts = String(decoding: bytes, as: UTF8.self).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "1", let bits = UInt64(parts[1], radix: 16), let seq = Int64(parts[2]),
            let fp = UInt64(parts[3], radix: 16)
        else { throw .badPageToken(reason: "not a token this server issued") }
        self.init(raisedSimTimeS: Double(bitPattern: bits), sequence: seq, fingerprint: fp)
    }

    /// FNV-1a over a canonical text of the filter (stable across runs, unlike `hashValue`).
    static func fingerprint(_ q: AlertQuery) -> UInt64 {
        var parts: [String] = [
            q.simTimeRange.map { "\($0.lowerBound.bitPattern),\($0.upperBound.bitPattern)" } ?? "-",
            q.wallTimeRange.map { "\($0.lowerBound),\($0.upperBound)" } ?? "-",
            q.detectors.joined(separator: "\u{1}"), q.stationIDs.joined(separator: "\u{1}"),
            q.pipeIDs.joined(separator: "\u{1}"), q.state.map { "\($0.rawValue)" } ?? "-",
            "\(q.minProbability.bitPattern)", q.minSeverity.map { "\($0.rawValue)" } ?? "-",
        ]
        // Appended only when present, so that tokens issued before networks existed stay valid.
        if !q.networks.isEmpty { parts.append("n:" + q.networks.joined(separator: "\u{1}")) }
        if !q.alarmStates.isEmpty {
            parts.append("a:" + q.alarmStates.map { "\($0.rawValue)" }.sorted().joined(separator: ","))
        }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in parts.joined(separator: "\u{2}").utf8 {
            h ^= UInt64(byte)
            h = h &* 0x100_0000_01b3
        }
        return h
    }
}

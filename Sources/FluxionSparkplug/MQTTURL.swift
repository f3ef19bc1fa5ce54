/// A broker address: `mqtt://HOST[:PORT]` (default 1883) or `mqtts://HOST[:PORT]` (TLS, 8883).
public struct MQTTURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var tls: Bool

    public init(_ text: String) throws(MQTTError) {
        let tls: Bool
        let rest: Substring
        if text.hasPrefix("mqtt://") {
            tls = false
            rest = text.dropFirst("mqtt://".count)
        } else if text.hasPrefix("mqtts://") {
            tls = true
            rest = text.dropFirst("mqtts://".count)
        } else {
            throw .badURL("'\(text)': must start with mqtt:// or mqtts://")
        }
        let hostPort = rest.hasSuffix("/") ? rest.dropLast() : rest
        guard !hostPort.isEmpty, !hostPort.contains("/"), !hostPort.contains("@") else {
            throw .badURL(
                "'\(text)': expected mqtt://HOST[:PORT] (credentials go in --mqtt-username/--mqtt-password-file)")
        }
        var host = String(hostPort)
        var port = tls ? 8883 : 1883
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw .badURL("'\(text)': unclosed [") }
            host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let after = hostPort[hostPort.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1...65535).contains(p) else {
                    throw .badURL("'\(text)': port must be 1…65535")
                }
                port = p
            } else if !after.isEmpty {
                throw .badURL("'\(text)': unexpected '\(after)'")
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon])
            guard let p = Int(hostPort[hostPort.index(after: colon)...]), (1...65535).contains(p) else {
                throw .badURL("'\(text)': port must be 1…65535")
            }
            port = p
        }
        guard !host.isEmpty else { throw .badURL("'\(text)': no host") }
        self.host = host
        self.port = port
        self.tls = tls
    }
}

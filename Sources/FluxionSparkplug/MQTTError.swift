/// An MQTT client could not be set up.
public enum MQTTError: Error, Sendable, CustomStringConvertible {
    case setup(String)
    case badURL(String)

    public var description: String {
        switch self {
        case .setup(let s): "MQTT: \(s)"
        case .badURL(let s): "MQTT URL: \(s)"
        }
    }
}

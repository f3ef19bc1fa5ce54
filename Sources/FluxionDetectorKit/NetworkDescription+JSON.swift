/// The JSON a plugin's `create` receives as `network_json` (fluxion_detector.h): the written
/// schema of docs/PLUGINS.md ("The network description"), version `NetworkDescription.schemaVersion`.
///
/// Every key is spelled out here rather than synthesized, so renaming a Swift property never
/// renames a key. The spellings are the ones the host has written since ABI version 1 (the Swift
/// property names, camelCase): plugins built against an older FluxionDetectorKit decode them.
/// Rules of the schema:
/// - the host writes `schemaVersion`; a decoder refuses a version newer than it knows, and reads
///   a document without the key as version 1 (hosts before the key existed);
/// - an optional key is left out when its value is unknown, never written as `null`;
/// - decoders ignore keys they do not know, so a later version may add keys without a new
///   `schemaVersion`; a change that removes a key or changes its meaning takes a new version.

extension NetworkDescription: Codable {
    /// The version of the network description's JSON schema this kit writes and reads. A
    /// document with a higher `schemaVersion` is refused with
    /// `NetworkDescriptionError.unsupportedSchemaVersion`.
    public static let schemaVersion = 1

    private enum CodingKeys: String, CodingKey {
        case schemaVersion = "schemaVersion"
        case scenario = "scenario"
        case isGas = "isGas"
        case timeStepS = "timeStepS"
        case sensors = "sensors"
        case pipes = "pipes"
        case stations = "stations"
        case lines = "lines"
        case pressureNodes = "pressureNodes"
    }

    /// Decodes a network description written in the schema of docs/PLUGINS.md.
    /// - Throws: `NetworkDescriptionError.unsupportedSchemaVersion` when `schemaVersion` is
    ///   below 1 or above `NetworkDescription.schemaVersion`; `DecodingError` when a required key
    ///   is missing or a value has the wrong type.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let version = try c.decodeIfPresent(Int.self, forKey: .schemaVersion) ?? 1
        guard (1...Self.schemaVersion).contains(version) else {
            throw NetworkDescriptionError.unsupportedSchemaVersion(found: version, supported: Self.schemaVersion)
        }
        self.init(
            scenario: try c.decode(String.self, forKey: .scenario),
            isGas: try c.decode(Bool.self, forKey: .isGas),
            timeStepS: try c.decode(Double.self, forKey: .timeStepS),
            sensors: try c.decode([SensorDescription].self, forKey: .sensors),
            pipes: try c.decode([PipeDescription].self, forKey: .pipes),
            stations: try c.decode([StationDescription].self, forKey: .stations),
            lines: try c.decode([String: [String]].self, forKey: .lines),
            pressureNodes: try c.decodeIfPresent([String].self, forKey: .pressureNodes))
    }

    /// Encodes the network description with `schemaVersion` = `NetworkDescription.schemaVersion`.
    /// - Throws: `EncodingError` when a number is not finite (JSON has no NaN or infinity).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.schemaVersion, forKey: .schemaVersion)
        try c.encode(scenario, forKey: .scenario)
        try c.encode(isGas, forKey: .isGas)
        try c.encode(timeStepS, forKey: .timeStepS)
        try c.encode(sensors, forKey: .sensors)
        try c.encode(pipes, forKey: .pipes)
        try c.encode(stations, forKey: .stations)
        try c.encode(lines, forKey: .lines)
        try c.encodeIfPresent(pressureNodes, forKey: .pressureNodes)
    }
}

extension SensorDescription: Codable {
    private enum CodingKeys: String, CodingKey {
        case id = "id"
        case quantity = "quantity"
        case unit = "unit"
        case pipeID = "pipeID"
        case positionM = "positionM"
        case nodeID = "nodeID"
        case stationID = "stationID"
        case sampleRateHz = "sampleRateHz"
    }

    /// Decodes one element of the network description's `sensors` array.
    /// - Throws: `DecodingError` when a required key is missing or a value has the wrong type.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id),
            quantity: try c.decode(String.self, forKey: .quantity),
            unit: try c.decode(String.self, forKey: .unit),
            pipeID: try c.decodeIfPresent(String.self, forKey: .pipeID),
            positionM: try c.decodeIfPresent(Double.self, forKey: .positionM),
            nodeID: try c.decodeIfPresent(String.self, forKey: .nodeID),
            stationID: try c.decodeIfPresent(String.self, forKey: .stationID),
            sampleRateHz: try c.decode(Double.self, forKey: .sampleRateHz))
    }

    /// Encodes the sensor; nil optionals are left out.
    /// - Throws: `EncodingError` when a number is not finite.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(quantity, forKey: .quantity)
        try c.encode(unit, forKey: .unit)
        try c.encodeIfPresent(pipeID, forKey: .pipeID)
        try c.encodeIfPresent(positionM, forKey: .positionM)
        try c.encodeIfPresent(nodeID, forKey: .nodeID)
        try c.encodeIfPresent(stationID, forKey: .stationID)
        try c.encode(sampleRateHz, forKey: .sampleRateHz)
    }
}

extension PipeDescription: Codable {
    private enum CodingKeys: String, CodingKey {
        case id = "id"
        case fromNode = "fromNode"
        case toNode = "toNode"
        case lengthM = "lengthM"
        case diameterM = "diameterM"
        case waveSpeedMPerS = "waveSpeedMPerS"
        case lineID = "lineID"
        case chainageStartM = "chainageStartM"
        case nominalFlow = "nominalFlow"
    }

    /// Decodes one element of the network description's `pipes` array.
    /// - Throws: `DecodingError` when a required key is missing or a value has the wrong type.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id),
            fromNode: try c.decode(String.self, forKey: .fromNode),
            toNode: try c.decode(String.self, forKey: .toNode),
            lengthM: try c.decode(Double.self, forKey: .lengthM),
            diameterM: try c.decode(Double.self, forKey: .diameterM),
            waveSpeedMPerS: try c.decode(Double.self, forKey: .waveSpeedMPerS),
            lineID: try c.decodeIfPresent(String.self, forKey: .lineID),
            chainageStartM: try c.decode(Double.self, forKey: .chainageStartM),
            nominalFlow: try c.decode(Double.self, forKey: .nominalFlow))
    }

    /// Encodes the pipe; a nil `lineID` is left out.
    /// - Throws: `EncodingError` when a number is not finite.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(fromNode, forKey: .fromNode)
        try c.encode(toNode, forKey: .toNode)
        try c.encode(lengthM, forKey: .lengthM)
        try c.encode(diameterM, forKey: .diameterM)
        try c.encode(waveSpeedMPerS, forKey: .waveSpeedMPerS)
        try c.encodeIfPresent(lineID, forKey: .lineID)
        try c.encode(chainageStartM, forKey: .chainageStartM)
        try c.encode(nominalFlow, forKey: .nominalFlow)
    }
}

extension StationDescription: Codable {
    private enum CodingKeys: String, CodingKey {
        case id = "id"
        case name = "name"
        case nodeID = "nodeID"
    }

    /// Decodes one element of the network description's `stations` array.
    /// - Throws: `DecodingError` when a key is missing or a value has the wrong type.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id),
            name: try c.decode(String.self, forKey: .name),
            nodeID: try c.decode(String.self, forKey: .nodeID))
    }

    /// Encodes the station.
    /// - Throws: nothing in practice (strings only); `Encodable` requires the signature.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(nodeID, forKey: .nodeID)
    }
}

import FluxionDetectorKit
import Foundation
import Testing

/// The network description's JSON schema (docs/PLUGINS.md, "The network description"), read
/// from documents written by hand with the documented keys, not from what the encoder makes.
@Suite struct NetworkDescriptionJSONTests {
    /// The example of docs/PLUGINS.md.
    static let documented = """
        {
          "schemaVersion": 1,
          "scenario": "two-pipe-line",
          "isGas": false,
          "timeStepS": 0.1,
          "sensors": [
            {"id": "FT-in", "quantity": "flow", "unit": "m3/s", "pipeID": "P1", "positionM": 0,
             "sampleRateHz": 10},
            {"id": "PT-B", "quantity": "pressure", "unit": "Pa", "nodeID": "B", "stationID": "S-B",
             "sampleRateHz": 10}
          ],
          "pipes": [
            {"id": "P1", "fromNode": "A", "toNode": "J", "lengthM": 1000, "diameterM": 0.3,
             "waveSpeedMPerS": 1000, "lineID": "L", "chainageStartM": 0, "nominalFlow": 0.1},
            {"id": "P2", "fromNode": "J", "toNode": "B", "lengthM": 1500, "diameterM": 0.3,
             "waveSpeedMPerS": 1000, "chainageStartM": 1000, "nominalFlow": 0.1}
          ],
          "stations": [{"id": "S-B", "name": "Terminal B", "nodeID": "B"}],
          "lines": {"L": ["P1", "P2"]},
          "pressureNodes": ["A"],
          "aKeyOfALaterVersion": {"ignored": true}
        }
        """

    static func decode(_ json: String) throws -> NetworkDescription {
        try JSONDecoder().decode(NetworkDescription.self, from: Data(json.utf8))
    }

    @Test func readsEveryDocumentedKey() throws {
        let n = try Self.decode(Self.documented)
        #expect(n.scenario == "two-pipe-line")
        #expect(n.isGas == false)
        #expect(n.timeStepS == 0.1)
        #expect(
            n.sensors == [
                SensorDescription(
                    id: "FT-in", quantity: "flow", unit: "m3/s", pipeID: "P1", positionM: 0, sampleRateHz: 10),
                SensorDescription(
                    id: "PT-B", quantity: "pressure", unit: "Pa", nodeID: "B", stationID: "S-B", sampleRateHz: 10),
            ])
        #expect(
            n.pipes == [
                PipeDescription(
                    id: "P1", fromNode: "A", toNode: "J", lengthM: 1000, diameterM: 0.3, waveSpeedMPerS: 1000,
                    lineID: "L", chainageStartM: 0, nominalFlow: 0.1),
                PipeDescription(
                    id: "P2", fromNode: "J", toNode: "B", lengthM: 1500, diameterM: 0.3, waveSpeedMPerS: 1000,
                    lineID: nil, chainageStartM: 1000, nominalFlow: 0.1),
            ])
        #expect(n.stations == [StationDescription(id: "S-B", name: "Terminal B", nodeID: "B")])
        #expect(n.lines == ["L": ["P1", "P2"]])
        #expect(n.pressureNodes == ["A"])
    }

    @Test func aDocumentWithoutSchemaVersionOrPressureNodesIsVersionOne() throws {
        let json = """
            {"scenario": "s", "isGas": true, "timeStepS": 1, "sensors": [], "pipes": [], "stations": [],
             "lines": {}}
            """
        let n = try Self.decode(json)
        #expect(n.isGas)
        #expect(n.pressureNodes == nil)
    }

    @Test func refusesANewerSchemaVersionByName() throws {
        let newer = Self.documented.replacingOccurrences(of: "\"schemaVersion\": 1", with: "\"schemaVersion\": 2")
        #expect(newer != Self.documented)
        #expect(throws: NetworkDescriptionError.unsupportedSchemaVersion(found: 2, supported: 1)) {
            try Self.decode(newer)
        }
        let text = NetworkDescriptionError.unsupportedSchemaVersion(found: 2, supported: 1).description
        #expect(text.contains("schema version 2 is newer"))
        #expect(text.contains("rebuild the plugin"))
    }

    @Test func writesTheVersionAndTheDocumentedKeys() throws {
        let written = try JSONEncoder().encode(try Self.decode(Self.documented))
        let object = try #require(try JSONSerialization.jsonObject(with: written) as? [String: Any])
        #expect(object["schemaVersion"] as? Int == NetworkDescription.schemaVersion)
        #expect(
            Set(object.keys) == [
                "schemaVersion", "scenario", "isGas", "timeStepS", "sensors", "pipes", "stations", "lines",
                "pressureNodes",
            ])
        let pipes = try #require(object["pipes"] as? [[String: Any]])
        #expect(pipes[1]["lineID"] == nil, "an unknown optional is left out, not written as null")
        #expect(try Self.decode(String(decoding: written, as: UTF8.self)) == Self.decode(Self.documented))
    }
}

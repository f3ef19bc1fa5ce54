import FluxionDetectorKit
import Foundation
import Testing

@testable import FluxionPINN

/// The PINN detector's inputs, model file and forward pass, on values worked out by hand.
@Suite struct PINNTests {
    /// Two pressure transmitters on one 1 km pipe, a flow meter at each end.
    static let network = NetworkDescription(
        scenario: "unit", isGas: false, timeStepS: 0.5,
        sensors: [
            SensorDescription(id: "PA", quantity: "pressure", unit: "Pa", pipeID: "P", positionM: 100, sampleRateHz: 1),
            SensorDescription(id: "PB", quantity: "pressure", unit: "Pa", pipeID: "P", positionM: 900, sampleRateHz: 1),
            SensorDescription(id: "FIN", quantity: "flow", unit: "m3/s", pipeID: "P", positionM: 0, sampleRateHz: 1),
            SensorDescription(id: "FOUT", quantity: "flow", unit: "m3/s", nodeID: "B", sampleRateHz: 1),
        ],
        pipes: [
            PipeDescription(
                id: "P", fromNode: "A", toNode: "B", lengthM: 1000, diameterM: 0.2, waveSpeedMPerS: 1000, lineID: "L",
                chainageStartM: 0, nominalFlow: 0.05)
        ],
        stations: [], lines: ["L": ["P"]])

    static let config = PINNFeatures.Config(
        sampleS: 1, blockSamples: 2, blocks: 2, pressureSensors: ["PA", "PB"], inflowSensors: ["FIN"],
        outflowSensors: ["FOUT"])

    static func tick(_ t: Double, _ pa: Double, _ pb: Double, _ fin: Double, _ fout: Double) -> DetectorTick {
        DetectorTick(
            simTimeS: t,
            samples: [
                SensorSample(sensorIndex: 0, value: pa, valid: true),
                SensorSample(sensorIndex: 1, value: pb, valid: true),
                SensorSample(sensorIndex: 2, value: fin, valid: true),
                SensorSample(sensorIndex: 3, value: fout, valid: true),
            ])
    }

    @Test func inputsAreBlockMeansRelativeToTheBlockBefore() {
        #expect(Self.config.dimension == 5 * 2)
        #expect(Self.network.boundaryFlowSensors().inflow == [2] && Self.network.boundaryFlowSensors().outflow == [3])
        var f = PINNFeatures(config: Self.config, network: Self.network)
        // Rows are taken at t = 1, 2, …, 6 (the first tick only starts the grid); PA steps down
        // by 60 Pa from t = 5, FOUT by 0.01 m³/s from t = 3.
        var out: [[Double]] = []
        for t in 0...6 {
            let pa = t >= 5 ? 940.0 : 1000, fout = t >= 3 ? 0.04 : 0.05
            if let v = f.observe(Self.tick(Double(t), pa, 500, 0.05, fout)) { out.append(v) }
        }
        // Blocks: rows (1,2), (3,4), (5,6): a vector at t = 6 only (three blocks held).
        #expect(out.count == 1)
        let v = try! #require(out.first)
        // channel-major, newest block first: PA: block (5,6) − block (1,2) = −60, block (3,4) − (1,2) = 0.
        #expect(Array(v[0..<2]) == [-60, 0])
        #expect(Array(v[2..<4]) == [0, 0])  // PB
        #expect(Array(v[4..<6]) == [0, 0])  // Σ inflow
        #expect(zip(Array(v[6..<8]), [-0.01, -0.01]).allSatisfy { abs($0 - $1) < 1e-12 })  // Σ outflow
        // Line pack (liquid: m³ per Pa × Pa): PA's share of the pipe's volume/(ρa²) × −60 Pa.
        let w = Self.network.linePackWeights()[0]
        #expect(abs(v[8] - w * -60) < 1e-15 && abs(v[9]) < 1e-15)
    }

    /// The long window: pressures and boundary flows relative to the block before it, and the
    /// mass balance with line pack averaged over the newest 1, 2, … blocks, newest block first.
    @Test func longWindowCarriesTheMassBalance() throws {
        let config = PINNFeatures.Config(
            sampleS: 1, blockSamples: 1, blocks: 1, pressureSensors: ["PA", "PB"], inflowSensors: ["FIN"],
            outflowSensors: ["FOUT"], longBlockSamples: 2, longBlocks: 2)
        #expect(config.dimension == 5 * 1 + 5 * 2)
        #expect(config.historyS == 4 * 2 + 1)
        var f = PINNFeatures(config: config, network: Self.network)
        // Rows 1…8 (channels PA, PB, Σ in, Σ out, pack): PA steps −60 Pa at row 7, Σ out falls
        // from 10 to 8 at row 5 and to 6 at row 7, the pack grows by 1 per row (1 per s).
        var out: [[Double]] = []
        for t in 1...8 {
            let fout = t >= 7 ? 6.0 : t >= 5 ? 8 : 10
            let row = [t >= 7 ? 940.0 : 1000, 500, 10, fout, 100 + Double(t), 10, fout]
            if let v = f.addRow(row) { out.append(v) }
        }
        // Long blocks (1,2) before the baseline, (3,4) the baseline, (5,6) and (7,8) the window:
        // no vector before both windows are full.
        #expect(out.count == 1)
        let v = try #require(out.first)
        #expect(Array(v[0..<5]) == [0, 0, 0, 0, 1])  // short window: row 8 − row 7
        #expect(Array(v[5..<7]) == [-60, 0])  // PA: (7,8) − (3,4), (5,6) − (3,4)
        #expect(Array(v[7..<9]) == [0, 0])  // PB
        #expect(Array(v[9..<11]) == [0, 0])  // FIN relative to (3,4)
        #expect(Array(v[11..<13]) == [-4, -2])  // FOUT relative to (3,4)
        // Mass balance per block: Σ in − Σ out − (pack − pack of the block before) / 2 s:
        // (7,8): 4 − 1 = 3, (5,6): 2 − 1 = 1; averaged over the newest 1 and 2 blocks.
        #expect(Array(v[13..<15]) == [3, 2])
        #expect(v.count == 15)
        // A model file without the long window's keys reads as none.
        let json =
            #"{"sample_s":1,"block_samples":1,"blocks":1,"pressure_sensors":[],"inflow_sensors":[],"outflow_sensors":[]}"#
        let old = try JSONDecoder().decode(PINNFeatures.Config.self, from: Data(json.utf8))
        #expect(old.longBlocks == 0 && old.longChannels == 0)
    }

    /// A boundary flow meter missing: its rows are skipped (no stand-in for flows), so the
    /// vector that the seventh row would complete comes two rows later.
    @Test func aMissingFlowSkipsTheRow() {
        var f = PINNFeatures(config: Self.config, network: Self.network)
        var vectorsAt: [Int] = []
        for t in 0...10 {
            let tick =
                t == 3 || t == 4
                ? DetectorTick(
                    simTimeS: Double(t),
                    samples: [
                        SensorSample(sensorIndex: 0, value: 1000, valid: true),
                        SensorSample(sensorIndex: 1, value: 500, valid: true),
                        SensorSample(sensorIndex: 2, value: 0.05, valid: true),
                        SensorSample(sensorIndex: 3, value: .nan, valid: false),
                    ]) : Self.tick(Double(t), 1000, 500, 0.05, 0.05)
            if f.observe(tick) != nil { vectorsAt.append(t) }
        }
        // Healthy: rows at 1…6 complete the three blocks at t = 6, then a vector every 2 rows.
        // Rows 3 and 4 skipped: the blocks complete at t = 8 and 10.
        #expect(vectorsAt == [8, 10])
        #expect(f.row(fromSensorValues: [1, 1, 1, .nan]) == nil)
        #expect(f.row(fromSensorValues: [1, 1, .nan, 1]) == nil)
    }

    /// A dropped-out pressure transmitter is stood in for by its neighbour plus the offset it had
    /// from that neighbour while it reported, so its inputs do not step and vectors keep coming.
    @Test func aMissingPressureIsStoodInForByItsNeighbourAndItsOffset() throws {
        var f = PINNFeatures(config: Self.config, network: Self.network)
        // PA reads 1000, PB 500: PA's offset from its only neighbour is +500.
        let healthyRow = f.row(fromSensorValues: [1000, 500, 0.05, 0.05])
        let healthy = try #require(healthyRow)
        #expect(Array(healthy.prefix(2)) == [1000, 500])
        // PA drops out; PB falls by 60 Pa: PA stands at 440 + 500.
        let stoodInRow = f.row(fromSensorValues: [.nan, 440, 0.05, 0.05])
        let stoodIn = try #require(stoodInRow)
        #expect(Array(stoodIn.prefix(2)) == [940, 440])
        // Line pack from the stood-in value.
        let w = Self.network.linePackWeights()
        #expect(abs(stoodIn[4] - (w[0] * 940 + w[1] * 440)) < 1e-12)
        // Both pressures missing: nothing to stand in with.
        #expect(f.row(fromSensorValues: [.nan, .nan, 0.05, 0.05]) == nil)
        // Through ticks: a transmitter that never reports still lets vectors come.
        var g = PINNFeatures(config: Self.config, network: Self.network)
        var vectors = 0
        for t in 0...6 {
            let tick = DetectorTick(
                simTimeS: Double(t),
                samples: [
                    SensorSample(sensorIndex: 0, value: .nan, valid: false),
                    SensorSample(sensorIndex: 1, value: 500, valid: true),
                    SensorSample(sensorIndex: 2, value: 0.05, valid: true),
                    SensorSample(sensorIndex: 3, value: 0.05, valid: true),
                ])
            if let v = g.observe(tick) {
                vectors += 1
                #expect(v.allSatisfy { $0 == 0 })
            }
        }
        #expect(vectors == 1)
    }

    /// On a gas line the stand-in between two transmitters is interpolated in p² (the steady
    /// isothermal profile: p² linear in x along a pipe of constant flow).
    @Test func aGasStandInIsInterpolatedInPressureSquared() throws {
        var network = Self.network
        network.isGas = true
        network.sensors = [
            SensorDescription(id: "PA", quantity: "pressure", unit: "Pa", pipeID: "P", positionM: 0, sampleRateHz: 1),
            SensorDescription(id: "PM", quantity: "pressure", unit: "Pa", pipeID: "P", positionM: 250, sampleRateHz: 1),
            SensorDescription(id: "PB", quantity: "pressure", unit: "Pa", nodeID: "B", sampleRateHz: 1),
            SensorDescription(id: "FIN", quantity: "flow", unit: "Sm3/h", pipeID: "P", positionM: 0, sampleRateHz: 1),
            SensorDescription(id: "FOUT", quantity: "flow", unit: "Sm3/h", nodeID: "B", sampleRateHz: 1),
        ]
        let config = PINNFeatures.Config(
            sampleS: 1, blockSamples: 1, blocks: 1, pressureSensors: ["PA", "PM", "PB"], inflowSensors: ["FIN"],
            outflowSensors: ["FOUT"])
        var f = PINNFeatures(config: config, network: network)
        // PM never reported (no offset): at a quarter of the pipe, p² = 4e12 − (4e12 − 1e12)/4.
        let midRow = f.row(fromSensorValues: [2e6, .nan, 1e6, 100, 100])
        let mid = try #require(midRow)
        #expect(abs(mid[1] - 3.25e12.squareRoot()) < 1e-6)
        // PB (at node B, the pipe's end; never reported on this fresh instance) missing: the
        // nearest neighbour below it is PM.
        var g = PINNFeatures(config: config, network: network)
        let endRow = g.row(fromSensorValues: [2e6, 1.9e6, .nan, 100, 100])
        let end = try #require(endRow)
        #expect(end[2] == 1.9e6)
    }

    static func model(
        weights: [Double] = Array(repeating: 0, count: 40), sensors: [String] = ["PA", "PB", "FIN", "FOUT"]
    )
        -> PINNModel
    {
        PINNModel(
            format: PINNModel.format, formatVersion: 1, scenario: "unit", scenarioSHA256: "", sensors: sensors,
            linePipes: ["P"], lineLengthM: 1000, features: config, mean: Array(repeating: 1, count: 10),
            std: Array(repeating: 2, count: 10),
            layers: [
                .init(inputs: 10, outputs: 4, weights: weights, biases: [0, 0, 0, 0])
            ], sizeScale: 0.1, ageScaleS: 60, training: [:])
    }

    @Test func forwardPassMatchesTheFormula() throws {
        // One linear layer: output o = W·((x − 1)/2); W picks input 0 for the logit and input 1
        // for the position.
        var w = [Double](repeating: 0, count: 40)
        w[0 * 10 + 0] = 1
        w[1 * 10 + 1] = -1
        let m = Self.model(weights: w)
        try m.validate(path: "m")
        let o = m.evaluate([5, 3] + Array(repeating: 1, count: 8))
        #expect(abs(o.probability - 1 / (1 + exp(-2.0))) < 1e-12)  // (5 − 1)/2 = 2
        #expect(abs(o.position - 1 / (1 + exp(1.0))) < 1e-12)  // −(3 − 1)/2 = −1
        #expect(abs(o.sizeFraction - log(2.0) * 0.1) < 1e-12)  // softplus(0) = ln 2
        #expect(abs(o.ageS - log(2.0) * 60) < 1e-12)
    }

    /// The position is taken while the front is in the inputs' window and held afterwards: a
    /// network that says the leak is older than the window (ln 2 × 60 s > 4 s) keeps its first
    /// placement even when its position output moves.
    @Test func positionIsHeldOnceTheFrontHasLeftTheWindow() throws {
        var w = [Double](repeating: 0, count: 40)
        w[1 * 10 + 0] = 1  // position follows PA's newest change
        var m = Self.model(weights: w)
        m.layers[0].biases = [5, 0, 0, 0]  // probability σ(5 + …) > 0.5
        var d = try PINNLeakDetector(network: Self.network, model: m)
        var positions: [Double] = []
        for t in 0...10 {
            let pa = t >= 5 && t < 7 ? 1200.0 : 1000  // moves input 0 between the vectors at t = 6 and 8
            let e = try d.observe(Self.tick(Double(t), pa, 500, 0.05, 0.05))
            if t == 6 || t == 8 { positions.append(try #require(e.positionM)) }
        }
        let first = 1000 / (1 + exp(-(200.0 - 1) / 2))  // input 0 at t = 6: +200 Pa, normalized
        #expect(abs(positions[0] - first) < 1e-6, "\(positions)")
        #expect(positions[1] == positions[0], "\(positions)")
    }

    @Test func badModelFilesAreOneLineErrorsNamingTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pinn-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let good = try JSONEncoder().encode(Self.model())
        func write(_ name: String, _ data: Data) throws -> String {
            let path = "\(dir)/\(name)"
            try data.write(to: URL(fileURLWithPath: path))
            return path
        }
        let text = String(decoding: good, as: UTF8.self)
        let cases: [(String, Data, String)] = [
            ("truncated", good.prefix(good.count / 2), "not a PINN model file"),
            (
                "version",
                Data(text.replacingOccurrences(of: "\"format_version\":1", with: "\"format_version\":2").utf8),
                "format_version 2; this build reads 1"
            ),
            (
                "infinite",
                Data(text.replacingOccurrences(of: "\"biases\":[0,0,0,0]", with: "\"biases\":[0,1e999,0,0]").utf8),
                "model "
            ),
            ("shape", Data(text.replacingOccurrences(of: "\"inputs\":10", with: "\"inputs\":9").utf8), "layers"),
            (
                "long",
                Data(text.replacingOccurrences(of: "\"long_blocks\":0", with: "\"long_blocks\":-3").utf8),
                "long_blocks must be 0…10000"
            ),
        ]
        for (name, data, message) in cases {
            let path = try write(name, data)
            #expect(throws: PINNModelError.self) { _ = try PINNModel.load(path: path) }
            do { _ = try PINNModel.load(path: path) } catch {
                #expect(error.description.hasPrefix("model \(path)"), "\(error)")
                #expect(error.description.contains(message), "\(error)")
                #expect(!error.description.contains("\n"))
            }
        }
        // A model of another network is refused by the detector.
        let other = Self.model(sensors: ["PA", "PB", "FIN", "FOUT", "EXTRA"])
        #expect(throws: PINNModelError.self) { _ = try PINNLeakDetector(network: Self.network, model: other) }
        #expect(throws: DetectorConfigError.self) { _ = try PINNLeakDetector(network: Self.network, configJSON: []) }
        _ = try PINNLeakDetector(network: Self.network, model: Self.model())
    }
}

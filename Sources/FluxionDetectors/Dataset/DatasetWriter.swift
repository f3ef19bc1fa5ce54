import FluxionDetectorKit
import Foundation

/// Writes a dataset directory (docs/DATASETS.md): four NumPy arrays and `manifest.json`.
///
/// Everything is written into a temporary directory beside the target and renamed into place
/// when complete, so an interrupted run leaves no half-written dataset under the target's name.
public final class DatasetWriter: @unchecked Sendable {
    /// The format written here; readers refuse others.
    public static let format = "fluxion-dataset"
    public static let formatVersion = 1

    /// `manifest.json`.
    public struct Manifest: Codable, Sendable {
        public struct Sensor: Codable, Sendable {
            public var id: String
            public var quantity: String
            public var unit: String
            public var pipeID: String?
            public var positionM: Double?
            public var nodeID: String?
            public var stationID: String?
            public var lineID: String?
            public var chainageM: Double?
            public var sampleRateHz: Double

            enum CodingKeys: String, CodingKey {
                case id, quantity, unit, pipeID = "pipe_id", positionM = "position_m", nodeID = "node_id"
                case stationID = "station_id", lineID = "line_id", chainageM = "chainage_m"
                case sampleRateHz = "sample_rate_hz"
            }
        }

        public struct Case: Codable, Sendable {
            public var index: Int
            public var seed: UInt64
            public var windowStartS: Double
            public var leaks: [DatasetGenerator.LeakLabel]

            enum CodingKeys: String, CodingKey {
                case index, seed, windowStartS = "window_start_s", leaks
            }
        }

        public struct Array: Codable, Sendable {
            public var file: String
            public var dtype: String
            public var shape: [Int]
            public var unit: String
            public var meaning: String
        }

        public var format: String
        public var formatVersion: Int
        public var scenario: String
        public var scenarioSHA256: String
        public var fluid: String
        public var seed: UInt64
        public var sampleS: Double
        public var samplesPerCase: Int
        public var flowUnit: String
        public var generator: [String: String]
        public var sensors: [Sensor]
        public var arrays: [String: Array]
        public var cases: [Case]

        enum CodingKeys: String, CodingKey {
            case format, formatVersion = "format_version", scenario, scenarioSHA256 = "scenario_sha256", fluid, seed
            case sampleS = "sample_s", samplesPerCase = "samples_per_case", flowUnit = "flow_unit", generator
            case sensors, arrays, cases
        }
    }

    public let directory: String
    private let temporary: String
    private let series: NumpyArrayFile
    private let time: NumpyArrayFile
    private let leakOpen: NumpyArrayFile
    private let leakFlow: NumpyArrayFile
    private var manifest: Manifest
    private var cases: [Manifest.Case?]
    private let lock = NSLock()

    /// Prepares `directory` (which must not exist, or be empty) for `count` cases.
    public init(
        directory: String, count: Int, generator: DatasetGenerator, scenarioSHA256: String, seed: UInt64,
        options: [String: String]
    ) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: directory, isDirectory: &isDir) {
            let entries = isDir.boolValue ? ((try? fm.contentsOfDirectory(atPath: directory)) ?? ["?"]) : ["?"]
            guard entries.isEmpty else { throw DatasetError.outputExists(directory) }
        }
        self.directory = directory
        let parent = (directory as NSString).deletingLastPathComponent
        temporary =
            (parent.isEmpty ? "." : parent) + "/.\((directory as NSString).lastPathComponent).partial-\(getpid())"
        try? fm.removeItem(atPath: temporary)
        do { try fm.createDirectory(atPath: temporary, withIntermediateDirectories: true) } catch {
            throw DatasetError.io(path: temporary, "\(error)")
        }
        let n = generator.samples, s = generator.network.sensors.count
        series = try NumpyArrayFile(path: temporary + "/series.npy", element: .float32, shape: [count, n, s])
        time = try NumpyArrayFile(path: temporary + "/time.npy", element: .float64, shape: [count, n])
        leakOpen = try NumpyArrayFile(path: temporary + "/leak_open.npy", element: .uint8, shape: [count, n])
        leakFlow = try NumpyArrayFile(path: temporary + "/leak_flow.npy", element: .float32, shape: [count, n])
        let net = generator.network
        let pipes = Dictionary(uniqueKeysWithValues: net.pipes.map { ($0.id, $0) })
        let ends = Dictionary(
            net.pipes.flatMap { [($0.fromNode, ($0, 0.0)), ($0.toNode, ($0, $0.lengthM))] },
            uniquingKeysWith: { a, _ in a })
        let flowUnit = net.isGas ? "Sm3/h" : "m3/s"
        manifest = Manifest(
            format: Self.format, formatVersion: Self.formatVersion, scenario: generator.scenario.name,
            scenarioSHA256: scenarioSHA256, fluid: net.isGas ? "natural_gas" : "liquid", seed: seed,
            sampleS: generator.sampleS, samplesPerCase: n, flowUnit: flowUnit, generator: options,
            sensors: net.sensors.map { d in
                // Where on a line the sensor sits: its pipe and position, or the node's pipe end.
                let place: (PipeDescription, Double)? =
                    d.pipeID.flatMap { id in pipes[id].map { ($0, d.positionM ?? 0) } }
                    ?? d.nodeID.flatMap { ends[$0] }
                return Manifest.Sensor(
                    id: d.id, quantity: d.quantity, unit: d.unit, pipeID: d.pipeID, positionM: d.positionM,
                    nodeID: d.nodeID, stationID: d.stationID, lineID: place?.0.lineID,
                    chainageM: place.map { $0.0.chainageStartM + $0.1 }, sampleRateHz: d.sampleRateHz)
            },
            arrays: [
                "series": .init(
                    file: "series.npy", dtype: "float32", shape: [count, n, s], unit: "each sensor's unit",
                    meaning: "each sensor's newest reading at each sample (NaN: none valid yet or dropped out)"),
                "time": .init(
                    file: "time.npy", dtype: "float64", shape: [count, n], unit: "s",
                    meaning: "simulated time of each sample"),
                "leak_open": .init(
                    file: "leak_open.npy", dtype: "uint8", shape: [count, n], unit: "1",
                    meaning: "1 from the onset of the case's first leak on"),
                "leak_flow": .init(
                    file: "leak_flow.npy", dtype: "float32", shape: [count, n], unit: flowUnit,
                    meaning: "the twin's total leak outflow at each sample"),
            ],
            cases: [])
        cases = Swift.Array(repeating: nil, count: count)
    }

    /// Writes one case's rows at its index (any order, any thread).
    public func write(_ data: DatasetGenerator.CaseData, seed: UInt64, windowStartS: Double) throws {
        let n = manifest.samplesPerCase, s = manifest.sensors.count
        try series.write(data.series, atElement: data.index * n * s)
        try time.write(data.time, atElement: data.index * n)
        try leakOpen.write(data.leakOpen, atElement: data.index * n)
        try leakFlow.write(data.leakFlow, atElement: data.index * n)
        lock.withLock {
            cases[data.index] = Manifest.Case(
                index: data.index, seed: seed, windowStartS: windowStartS, leaks: data.leaks)
        }
    }

    /// Writes the manifest, flushes everything and renames the directory into place.
    public func finish() throws {
        manifest.cases = try cases.enumerated().map { i, c in
            guard let c else { throw DatasetError.io(path: directory, "case \(i) was never written") }
            return c
        }
        for f in [series, time, leakOpen, leakFlow] { try f.sync() }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let path = temporary + "/manifest.json"
        do { try encoder.encode(manifest).write(to: URL(fileURLWithPath: path)) } catch {
            throw DatasetError.io(path: path, "\(error)")
        }
        let fm = FileManager.default
        if fm.fileExists(atPath: directory) { try? fm.removeItem(atPath: directory) }  // empty (checked)
        guard rename(temporary, directory) == 0 else {
            throw DatasetError.io(path: directory, String(cString: strerror(errno)))
        }
    }

    /// Removes the temporary directory (after a failure).
    public func discard() {
        try? FileManager.default.removeItem(atPath: temporary)
    }
}

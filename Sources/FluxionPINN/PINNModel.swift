import FluxionDetectorKit
import Foundation

/// A trained PINN detector (docs/PINN.md, "Model file"): how its inputs are formed, their
/// normalization, the weights of its network and what it was trained on. JSON, versioned.
///
/// The network: inputs x (normalized: (x − mean) / std), two or more tanh layers, and a linear
/// output layer of four: leak logit, position on the line coordinate (sigmoid → 0…1 of
/// `lineLengthM`), size (softplus × `sizeScale`, fraction of nominal flow), time since onset
/// (softplus × `ageScaleS`, s).
public struct PINNModel: Codable, Sendable {
    public static let format = "fluxion-pinn-model"
    public static let formatVersion = 1

    /// One dense layer: `weights` row-major, `outputs × inputs`.
    public struct Layer: Codable, Sendable {
        public var inputs: Int
        public var outputs: Int
        public var weights: [Double]
        public var biases: [Double]
    }

    public var format: String
    public var formatVersion: Int
    public var scenario: String
    public var scenarioSHA256: String
    /// Every sensor of the network trained on, in its order: a network without them is refused.
    public var sensors: [String]
    /// The line coordinate's pipes, in order, and their lengths (m).
    public var linePipes: [String]
    public var lineLengthM: Double
    public var features: PINNFeatures.Config
    public var mean: [Double]
    public var std: [Double]
    public var layers: [Layer]
    public var sizeScale: Double
    public var ageScaleS: Double
    /// How it was trained (seed, data, loss terms, figures): for people, not read by the plugin.
    public var training: [String: String]

    public init(
        format: String, formatVersion: Int, scenario: String, scenarioSHA256: String, sensors: [String],
        linePipes: [String], lineLengthM: Double, features: PINNFeatures.Config, mean: [Double], std: [Double],
        layers: [Layer], sizeScale: Double, ageScaleS: Double, training: [String: String]
    ) {
        self.format = format
        self.formatVersion = formatVersion
        self.scenario = scenario
        self.scenarioSHA256 = scenarioSHA256
        self.sensors = sensors
        self.linePipes = linePipes
        self.lineLengthM = lineLengthM
        self.features = features
        self.mean = mean
        self.std = std
        self.layers = layers
        self.sizeScale = sizeScale
        self.ageScaleS = ageScaleS
        self.training = training
    }

    enum CodingKeys: String, CodingKey {
        case format, formatVersion = "format_version", scenario, scenarioSHA256 = "scenario_sha256", sensors
        case linePipes = "line_pipes", lineLengthM = "line_length_m", features, mean, std, layers
        case sizeScale = "size_scale", ageScaleS = "age_scale_s", training
    }

    /// What the network answers for one input vector.
    public struct Output: Sendable, Equatable {
        public var probability: Double
        /// 0…1 along the line coordinate.
        public var position: Double
        public var sizeFraction: Double
        public var ageS: Double
    }

    /// Reads and checks a model file; every problem is a `PINNModelError` naming the file.
    public static func load(path: String) throws(PINNModelError) -> PINNModel {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(path: path, "\(error.localizedDescription)")
        }
        let model: PINNModel
        do { model = try JSONDecoder().decode(PINNModel.self, from: data) } catch {
            throw .malformed(path: path, "not a PINN model file (\(Self.describe(error)))")
        }
        try model.validate(path: path)
        return model
    }

    /// Checks the format, the shapes and that every number is finite.
    public func validate(path: String) throws(PINNModelError) {
        guard format == Self.format else {
            throw .malformed(path: path, "format is \"\(format)\", not \"\(Self.format)\"")
        }
        guard formatVersion == Self.formatVersion else {
            throw .malformed(path: path, "format_version \(formatVersion); this build reads \(Self.formatVersion)")
        }
        let n = features.dimension
        guard features.longBlocks >= 0, features.longBlocks <= 10_000,
            features.longBlocks == 0 || (1...1_000_000).contains(features.longBlockSamples)
        else {
            throw .malformed(
                path: path, "features: long_blocks must be 0…10000 and, when positive, long_block_samples 1…1000000")
        }
        guard features.blocks >= 0, features.blockSamples >= 1, features.sampleS > 0, features.sampleS.isFinite,
            features.blocks + features.longBlocks >= 1
        else {
            throw .malformed(
                path: path, "features: block_samples and sample_s must be positive, and blocks or long_blocks too")
        }
        guard mean.count == n, std.count == n else {
            throw .malformed(
                path: path, "mean and std must have \(n) entries (the inputs), have \(mean.count), \(std.count)")
        }
        guard !layers.isEmpty, layers.first!.inputs == n, layers.last!.outputs == 4 else {
            throw .malformed(path: path, "layers must take \(n) inputs and end in 4 outputs")
        }
        for (k, l) in layers.enumerated() {
            guard l.weights.count == l.inputs * l.outputs, l.biases.count == l.outputs else {
                throw .malformed(
                    path: path, "layers[\(k)]: weights must be \(l.outputs)×\(l.inputs), biases \(l.outputs)")
            }
            if k > 0, l.inputs != layers[k - 1].outputs {
                throw .malformed(
                    path: path, "layers[\(k)] takes \(l.inputs) inputs, layers[\(k - 1)] gives \(layers[k - 1].outputs)"
                )
            }
            guard l.weights.allSatisfy(\.isFinite), l.biases.allSatisfy(\.isFinite) else {
                throw .malformed(path: path, "layers[\(k)]: non-finite weights")
            }
        }
        guard mean.allSatisfy(\.isFinite), std.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw .malformed(path: path, "mean must be finite and std finite and positive")
        }
        guard sizeScale.isFinite, sizeScale > 0, ageScaleS.isFinite, ageScaleS > 0, lineLengthM.isFinite,
            lineLengthM > 0
        else { throw .malformed(path: path, "size_scale, age_scale_s and line_length_m must be finite and positive") }
    }

    /// Refuses a network other than the one trained on.
    public func check(network: NetworkDescription, path: String) throws(PINNModelError) {
        let have = network.sensors.map(\.id)
        guard have == sensors else {
            throw .otherNetwork(
                path: path,
                "trained on scenario \(scenario) with sensors \(sensors.joined(separator: ",")); this network has \(have.joined(separator: ","))"
            )
        }
        let line = network.lineCoordinate()
        guard line.pipes.map(\.id) == linePipes, abs(line.lengthM - lineLengthM) <= 1e-6 * lineLengthM else {
            throw .otherNetwork(
                path: path,
                "trained on line pipes \(linePipes.joined(separator: ",")) (\(lineLengthM) m); this network has \(line.pipes.map(\.id).joined(separator: ",")) (\(line.lengthM) m)"
            )
        }
    }

    /// Runs the network on one input vector (not yet normalized).
    public func evaluate(_ input: [Double]) -> Output {
        var x = [Double](repeating: 0, count: input.count)
        for i in input.indices { x[i] = (input[i] - mean[i]) / std[i] }
        for (k, layer) in layers.enumerated() {
            var y = layer.biases
            layer.weights.withUnsafeBufferPointer { w in
                x.withUnsafeBufferPointer { xs in
                    for o in 0..<layer.outputs {
                        var s = 0.0
                        let row = o * layer.inputs
                        for i in 0..<layer.inputs { s += w[row + i] * xs[i] }
                        y[o] += s
                    }
                }
            }
            if k < layers.count - 1 { for o in y.indices { y[o] = tanh(y[o]) } }
            x = y
        }
        func sigmoid(_ v: Double) -> Double { 1 / (1 + exp(-v)) }
        func softplus(_ v: Double) -> Double { v > 30 ? v : log1p(exp(v)) }
        return Output(
            probability: sigmoid(x[0]), position: sigmoid(x[1]), sizeFraction: softplus(x[2]) * sizeScale,
            ageS: softplus(x[3]) * ageScaleS)
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing \(key.stringValue)"
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c),
            DecodingError.dataCorrupted(let c):
            "\(c.codingPath.map(\.stringValue).joined(separator: ".")): \(c.debugDescription)"
        default: "\(error)"
        }
    }
}

/// Why a PINN model file is refused; each names the file.
public enum PINNModelError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, String)
    case malformed(path: String, String)
    case otherNetwork(path: String, String)

    public var description: String {
        switch self {
        case .unreadable(let path, let why): "model \(path): cannot be read: \(why)"
        case .malformed(let path, let why): "model \(path): \(why)"
        case .otherNetwork(let path, let why): "model \(path) is for another network: \(why)"
        }
    }
}

import FluxionDetectorKit
import FluxionLOF
import Foundation

/// A trained LOF leak detector: the feature layout it was trained on, the fitted LOF model
/// (standardized features), and the calibration from LOF score to leak probability.
///
/// File (`fluxion train lof --out FILE`): the 8-byte magic `FLXLOFD1`, a little-endian UInt32
/// length, that many bytes of JSON (`header`), then the LOF model file (docs/LOF.md, with its
/// own magic, version and CRC). Loading checks all three and that the features match the
/// network being watched.
public struct LOFDetectorModel: Sendable {
    public struct Header: Codable, Sendable, Equatable {
        public var formatVersion: Int
        public var scenario: String
        public var windowS: Double
        public var features: [String]
        /// p = 1 / (1 + exp(decision / scale)): 0.5 at the LOF decision boundary (offset_),
        /// 0.9 where the decision is as far below 0 as the median training point is above it.
        public var probabilityScale: Double
        /// Mean and standard deviation of each feature over the training data (location, size).
        public var featureMeans: [Double]
        public var featureStds: [Double]
        /// Nominal total outflow (liquid m³/s, gas Sm³/h), to express the balance shift as a size.
        public var nominalOutflow: Double
        public var trainingVectors: Int
    }

    public static let magic: [UInt8] = Array("FLXLOFD1".utf8)
    public static let formatVersion = 1

    public let header: Header
    public let lof: LOFModel

    public init(header: Header, lof: LOFModel) {
        self.header = header
        self.lof = lof
    }

    /// Fits on feature vectors of normal operation.
    public static func train(
        vectors: [[Double]], features: [String], scenario: String, windowS: Double,
        nominalOutflow: Double, neighbors: Int = 20, contamination: Double = 0.01
    ) throws -> LOFDetectorModel {
        guard vectors.count > neighbors else {
            throw LOFDetectorError.tooLittleTraining(vectors: vectors.count, needed: neighbors + 1)
        }
        let matrix = try FeatureMatrix(rows: vectors)
        let model = try LOFModel(
            fitting: matrix, parameters: LOFParameters(neighbors: neighbors, contamination: .fraction(contamination)),
            standardize: true, parallel: true)
        let decisions = try model.scores(of: matrix).decisionFunction.sorted()
        let median = decisions[decisions.count / 2]
        let d = vectors[0].count
        var means = Array(repeating: 0.0, count: d), stds = Array(repeating: 0.0, count: d)
        for v in vectors { for k in 0..<d { means[k] += v[k] } }
        for k in 0..<d { means[k] /= Double(vectors.count) }
        for v in vectors { for k in 0..<d { stds[k] += (v[k] - means[k]) * (v[k] - means[k]) } }
        for k in 0..<d { stds[k] = max((stds[k] / Double(vectors.count)).squareRoot(), 1e-12) }
        let header = Header(
            formatVersion: formatVersion, scenario: scenario, windowS: windowS, features: features,
            probabilityScale: max(median, 1e-6) / log(9.0), featureMeans: means, featureStds: stds,
            nominalOutflow: nominalOutflow, trainingVectors: vectors.count)
        return LOFDetectorModel(header: header, lof: model)
    }

    /// Leak probability for one feature vector: the calibrated LOF decision.
    public func probability(of vector: [Double]) throws -> Double {
        let scores = try lof.scores(of: try FeatureMatrix(rows: [vector]))
        let decision = scores.decisionFunction[0]
        let p = 1 / (1 + exp(decision / header.probabilityScale))
        return p.isFinite ? min(max(p, 0), 1) : (decision < 0 ? 1 : 0)
    }

    // MARK: File

    public func encoded() throws -> [UInt8] {
        let json = try JSONEncoder().encode(header)
        var out = Self.magic
        withUnsafeBytes(of: UInt32(json.count).littleEndian) { out += $0 }
        out += json
        out += lof.encoded()
        return out
    }

    public func write(to path: String) throws {
        let bytes = try encoded()
        let tmp = path + ".tmp"
        guard FileManager.default.createFile(atPath: tmp, contents: Data(bytes)) else {
            throw LOFDetectorError.cannotWrite(path: path)
        }
        guard rename(tmp, path) == 0 else { throw LOFDetectorError.cannotWrite(path: path) }
    }

    public init(decoding bytes: [UInt8], source: String) throws {
        guard bytes.count >= 12, Array(bytes[0..<8]) == Self.magic else {
            throw LOFDetectorError.notAModel(source: source)
        }
        let length = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        guard 12 + length <= bytes.count else { throw LOFDetectorError.truncated(source: source) }
        let header: Header
        do { header = try JSONDecoder().decode(Header.self, from: Data(bytes[12..<(12 + length)])) } catch {
            throw LOFDetectorError.badHeader(source: source, reason: "\(error)")
        }
        guard header.formatVersion == Self.formatVersion else {
            throw LOFDetectorError.unsupportedVersion(
                source: source, found: header.formatVersion, supported: Self.formatVersion)
        }
        let lof = try LOFModel(decoding: Array(bytes[(12 + length)...]))
        guard lof.dimension == header.features.count, header.featureMeans.count == header.features.count,
            header.featureStds.count == header.features.count
        else {
            throw LOFDetectorError.badHeader(
                source: source, reason: "feature count disagrees with the LOF model's dimension")
        }
        self.init(header: header, lof: lof)
    }

    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LOFDetectorError.cannotRead(path: path)
        }
        try self.init(decoding: [UInt8](data), source: path)
    }
}

/// Why a LOF detector model could not be made, read or used.
public enum LOFDetectorError: Error, CustomStringConvertible, Equatable {
    case tooLittleTraining(vectors: Int, needed: Int)
    case cannotRead(path: String)
    case cannotWrite(path: String)
    case notAModel(source: String)
    case truncated(source: String)
    case badHeader(source: String, reason: String)
    case unsupportedVersion(source: String, found: Int, supported: Int)
    case featuresDiffer(model: [String], network: [String])

    public var description: String {
        switch self {
        case let .tooLittleTraining(n, needed):
            "only \(n) training feature vectors; LOF needs at least \(needed) (train longer)"
        case .cannotRead(let p): "\(p): cannot read the file"
        case .cannotWrite(let p): "\(p): cannot write the file"
        case .notAModel(let s): "\(s): not a Fluxion LOF detector model (bad magic)"
        case .truncated(let s): "\(s): truncated model file"
        case let .badHeader(s, r): "\(s): bad model header: \(r)"
        case let .unsupportedVersion(s, f, v):
            "\(s): model format version \(f) is not supported (this build reads \(v))"
        case let .featuresDiffer(m, n):
            "the model was trained on features \(m.joined(separator: ",")) but this network gives \(n.joined(separator: ","))"
        }
    }
}

import FluxionDetectorKit
import Foundation

/// The LOF leak detector (the `lof` plugin): scores each feature vector against normal operation
/// with a Local Outlier Factor model, and turns the score into a leak probability.
///
/// Configuration (JSON): `{"model": "PATH"}` loads a model made by `fluxion train lof` (fluxiond
/// resolves a plain name in its `--models` directory to that path first);
/// without it the detector learns normal operation online for `learn_s` seconds of simulated
/// time (default 3600) and then scores. Optional: `window_s` (feature window, default 30, must
/// match a loaded model), `neighbors` (20), `contamination` (0.01).
///
/// Location: the pressure sensor whose level is most below its training mean (in standard
/// deviations): a leak lowers the hydraulic grade most around and downstream of itself, so that
/// sensor's pipe and position are reported (a coarse, segment-level location).
/// Size: the shift of the mass-balance residual from its training mean over the nominal outflow.
public struct LOFLeakDetector: Detector {
    public static let name = "lof"
    public static let version = "1.0.0"
    public static let summary =
        "Local Outlier Factor over mass-balance and pressure features, trained on normal operation"

    struct Config: Decodable {
        var model: String?
        var learn_s: Double?
        var window_s: Double?
        var neighbors: Int?
        var contamination: Double?
    }

    private let network: NetworkDescription
    private var extractor: LOFFeatureExtractor
    private var model: LOFDetectorModel?
    private var training: [[Double]] = []
    private var outflowSum = 0.0
    private let learnS: Double
    private let neighbors: Int
    private let contamination: Double
    private var firstS: Double?
    private var lastS = 0.0
    private var sampler: TrainingSampler
    private var last = DetectorEstimate(probability: 0)

    public init(network: NetworkDescription, configJSON: [UInt8]) throws {
        let config = configJSON.isEmpty ? Config() : try JSONDecoder().decode(Config.self, from: Data(configJSON))
        self.network = network
        learnS = config.learn_s ?? 3600
        neighbors = config.neighbors ?? 20
        contamination = config.contamination ?? 0.01
        let windowS = config.window_s ?? 30
        // The first field out of range is named (NaN fails every check).
        let checks: [(field: String, ok: Bool, rule: String)] = [
            ("learn_s", learnS > 0 && learnS <= 604_800, "in (0, 604800] (a week)"),
            ("window_s", windowS >= 1 && windowS <= 3600, "in 1…3600"),
            ("neighbors", (1...1000).contains(neighbors), "in 1…1000"),
            ("contamination", contamination > 0 && contamination <= 0.5, "in (0, 0.5]"),
        ]
        if let bad = checks.first(where: { !$0.ok }) {
            throw DetectorConfigError("lof configuration: \(bad.field) must be \(bad.rule)")
        }
        sampler = TrainingSampler(intervalS: config.window_s ?? 30)
        if let path = config.model {
            let loaded = try LOFDetectorModel(contentsOf: path)
            extractor = LOFFeatureExtractor(network: network, windowS: loaded.header.windowS)
            guard loaded.header.features == extractor.featureNames else {
                throw LOFDetectorError.featuresDiffer(model: loaded.header.features, network: extractor.featureNames)
            }
            extractor.setTypicalLevels(featureMeans: loaded.header.featureMeans)
            model = loaded
        } else {
            extractor = LOFFeatureExtractor(network: network, windowS: config.window_s ?? 30)
        }
    }

    public init(network: NetworkDescription, model: LOFDetectorModel) throws {
        self.network = network
        learnS = 0
        neighbors = 20
        contamination = 0.01
        sampler = TrainingSampler(intervalS: model.header.windowS)
        extractor = LOFFeatureExtractor(network: network, windowS: model.header.windowS)
        guard model.header.features == extractor.featureNames else {
            throw LOFDetectorError.featuresDiffer(model: model.header.features, network: extractor.featureNames)
        }
        extractor.setTypicalLevels(featureMeans: model.header.featureMeans)
        self.model = model
    }

    public mutating func observe(_ tick: DetectorTick) throws -> DetectorEstimate {
        if firstS == nil { firstS = tick.simTimeS }
        lastS = tick.simTimeS
        guard let vector = extractor.observe(tick) else { return last }
        guard let model else {
            guard sampler.take(atS: tick.simTimeS) else { return last }
            training.append(vector)
            outflowSum += extractor.lastOutflow
            if tick.simTimeS - firstS! >= learnS, training.count > neighbors {
                self.model = try LOFDetectorModel.train(
                    vectors: training, features: extractor.featureNames, scenario: network.scenario,
                    windowS: extractor.windowS, nominalOutflow: outflowSum / Double(training.count),
                    neighbors: neighbors, contamination: contamination)
                if let model = self.model { extractor.setTypicalLevels(featureMeans: model.header.featureMeans) }
                training.removeAll()
            }
            return last
        }
        let p = try model.probability(of: vector)
        last = estimate(vector, probability: p, model: model)
        return last
    }

    /// 0 with a model; while learning online, the simulated time left of `learn_s` (the model is
    /// trained at the first window after it, given enough samples).
    public var learningRemainingS: Double? {
        if model != nil { return 0 }
        guard let firstS else { return learnS }
        // Not trained yet: at least one more sampling interval, even past learn_s.
        return max(learnS - (lastS - firstS), sampler.intervalS)
    }

    public mutating func reset() {
        extractor.reset()
        last = DetectorEstimate(probability: 0)
    }

    private func estimate(_ v: [Double], probability: Double, model: LOFDetectorModel) -> DetectorEstimate {
        let h = model.header
        let m = extractor.pressureSensorIndices.count
        var worst: (z: Double, sensor: Int)?
        for j in 0..<m {
            let k = 1 + j
            let z = (v[k] - h.featureMeans[k]) / h.featureStds[k]
            if worst == nil || z < worst!.z { worst = (z, extractor.pressureSensorIndices[j]) }
        }
        let sensor = worst.map { network.sensors[$0.sensor] }
        let size = h.nominalOutflow > 0 ? max(0, (v[0] - h.featureMeans[0]) / h.nominalOutflow) : nil
        return DetectorEstimate(
            probability: probability, pipeID: sensor?.pipeID, positionM: sensor?.positionM, sizeFraction: size)
    }
}

import FluxionDetectorKit
import Foundation

/// The physics-informed neural network detector (docs/PINN.md): a network trained by
/// `fluxion train pinn` reads the recent pressures, boundary flows and line pack
/// (`PINNFeatures`) and answers whether a leak is open, where on the line, how large and since
/// when.
///
/// Configuration (JSON): `{"model": "PATH"}` (required; fluxiond resolves a plain name in its
/// `--models` directory to that path). A model for another network is refused.
public struct PINNLeakDetector: Detector {
    public static let name = "pinn"
    public static let version = "1.0.0"
    public static let summary =
        "Physics-informed network: leak probability, position, size and onset from pressures, flows and line pack"

    struct Config: Decodable {
        var model: String?
    }

    private let model: PINNModel
    private var features: PINNFeatures
    private let line: [(id: String, startM: Double, lengthM: Double)]
    private var last = DetectorEstimate(probability: 0)
    /// The position (0…1 of the line) estimated while the front was in view.
    private var held: Double?
    private var seenS: Double?
    private var lastS = 0.0

    public init(network: NetworkDescription, configJSON: [UInt8]) throws {
        let config: Config
        do {
            config = configJSON.isEmpty ? Config() : try JSONDecoder().decode(Config.self, from: Data(configJSON))
        } catch {
            throw DetectorConfigError("pinn configuration: expected {\"model\": NAME}")
        }
        guard let path = config.model else {
            throw DetectorConfigError(
                "pinn needs a trained model: {\"model\": NAME} (make one with `fluxion train pinn`)")
        }
        do {
            try self.init(network: network, model: try PINNModel.load(path: path), path: path)
        } catch let e as PINNModelError {
            throw DetectorConfigError(e.description)
        }
    }

    public init(network: NetworkDescription, model: PINNModel, path: String = "model") throws(PINNModelError) {
        try model.check(network: network, path: path)
        let missing = PINNFeatures.missingSensors(model.features, in: network)
        guard missing.isEmpty else {
            throw .otherNetwork(path: path, "its inputs need sensors \(missing.joined(separator: ",")), absent here")
        }
        self.model = model
        features = PINNFeatures(config: model.features, network: network)
        line = network.lineCoordinate().pipes
    }

    public mutating func observe(_ tick: DetectorTick) throws -> DetectorEstimate {
        if seenS == nil { seenS = tick.simTimeS }
        lastS = tick.simTimeS
        guard let input = features.observe(tick) else { return last }
        let out = model.evaluate(input)
        // The position is observable while the leak's pressure front is inside the inputs'
        // window (its arrival times at the transmitters); afterwards the estimate made then is
        // held, until the network no longer sees a leak.
        let windowS = Double(model.features.blocks) * model.features.blockS
        if out.probability < 0.5 {
            held = nil
        } else if out.ageS < windowS || held == nil {
            held = out.position
        }
        let (pipe, position) = place((held ?? out.position) * model.lineLengthM)
        last = DetectorEstimate(
            probability: out.probability, pipeID: pipe, positionM: position, sizeFraction: out.sizeFraction)
        return last
    }

    /// The pipe and position of a point `x` m along the line coordinate.
    private func place(_ x: Double) -> (String, Double) {
        for p in line where x < p.startM + p.lengthM { return (p.id, max(0, x - p.startM)) }
        let p = line[line.count - 1]
        return (p.id, p.lengthM)
    }

    public mutating func reset() {
        features.reset()
        last = DetectorEstimate(probability: 0)
        held = nil
        seenS = nil
    }

    /// The history the inputs need before the first answer (both windows and their baselines),
    /// less what has passed.
    public var learningRemainingS: Double? {
        max(0, model.features.historyS - (seenS.map { lastS - $0 } ?? 0))
    }
}

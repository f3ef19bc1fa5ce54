import FluxionDetectorKit
import FluxionLineModel
import Foundation

/// The threshold baseline: a volume balance over a window for detection and size; for the
/// position a transient model of the line then the hydraulic gradient (gas), negative
/// pressure waves (liquid) (docs/DETECTION.md).
///
/// - Detection: the window residual r = Σ in − Σ out − d(line pack)/dt (`MassBalance`) is
///   normalized by what was learned in the first `learn_s` of operation (mean μ, standard
///   deviation σ, never below the sensor-noise model or `sigma_floor`): z = (r − μ)/σ.
///   Probability = 1 / (1 + e^(−2(z − k))): 0.5 at the alarm level z = k.
/// - Position: gas: `TransientLocator` (a transient model of the line fitted to the residuals)
///   for the first `settleWindows` windows of an alarm, then `GradientLocator` (hydraulic
///   gradient), both refreshed while the alarm lasts; liquid (or gas with neither):
///   `PressureWaveLocator`, from the drops seen since shortly before the alarm rose, kept for
///   the alarm episode.
/// - Size: (r − μ) / nominal flow of the located pipe (or of the line's first pipe).
/// - A failed pressure transmitter's readings are stood in for by its neighbours'
///   (`PressureGapFiller`) for the balance and the gas locators; the pressure-wave locator
///   passes over it instead.
struct ThresholdDetector: Detector {
    static let name = "threshold"
    static let version = "1.0.0"
    /// Alarm windows after which the gas gradient's estimate replaces the transient model's.
    static let settleWindows = 3
    static let summary =
        "Mass balance with a learned threshold; located by a transient line model and the hydraulic gradient (gas) or pressure waves (liquid)"

    private let config: ThresholdConfig.Resolved
    private var balance: MassBalance
    private var locator: PressureWaveLocator
    /// Gas only: hydraulic-gradient localization (pressure waves are too weak there).
    private var gradient: GradientLocator?
    /// Gas only: the transient-model locator (preferred when ready).
    private var transient: TransientLocator?
    private let nominalFlow: [String: Double]
    private let defaultNominal: Double
    private var firstTickS: Double?
    private var lastTickS = 0.0
    private var learned = RunningVariance()
    private var z = 0.0
    private var residual = 0.0
    /// Start of the current alarm episode, s; an episode ends after a window without alarm.
    private var alarmSinceS: Double?
    private var lastAlarmS = -Double.infinity
    private var location: (pipeID: String, positionM: Double, chainageM: Double)?
    private var gapFiller: PressureGapFiller

    init(network: NetworkDescription, configJSON: [UInt8]) throws {
        let raw = try ThresholdConfig.decode(configJSON)
        config = try raw.validated(isGas: network.isGas)
        balance = try MassBalance(network: network, config: raw, resolved: config)
        locator = PressureWaveLocator(
            network: network, allowance: config.waveAllowance, decision: config.waveDecision,
            baselineS: config.waveBaselineS)
        // Gas: the line both gas locators work along (none for `gas_locator: waves`).
        if network.isGas, config.gasLocator != .waves,
            let geometry = LineGeometry(network: network, flowSign: balance.flowSign)
        {
            gradient = GradientLocator(
                geometry: geometry, flowSign: balance.flowSign, blockS: config.blockS,
                windowBlocks: config.windowBlocks)
            if config.gasLocator == .transient {
                transient = TransientLocator(
                    geometry: geometry,
                    densitySensors: network.sensors.indices.filter { network.sensors[$0].quantity == "density" },
                    compressibility: config.compressibility)
            }
        }
        gapFiller = PressureGapFiller(network: network)
        nominalFlow = Dictionary(network.pipes.map { ($0.id, $0.nominalFlow) }, uniquingKeysWith: { a, _ in a })
        let firstLinePipe = network.lines.sorted { $0.key < $1.key }.first?.value.first
        defaultNominal =
            firstLinePipe.flatMap { id in network.pipes.first { $0.id == id }?.nominalFlow }
            ?? network.pipes.map(\.nominalFlow).max() ?? 1
    }

    /// Window of the balance, s.
    private var windowS: Double { config.blockS * Double(config.windowBlocks) }

    /// The learning period left: the residual's mean and σ are learned in the first `learn_s`
    /// (nothing to learn when `residual_std` is given).
    var learningRemainingS: Double? {
        if config.residualStd != nil { return 0 }
        guard let t0 = firstTickS else { return config.learnS }
        return max(0, config.learnS - (lastTickS - t0))
    }

    mutating func observe(_ received: DetectorTick) throws -> DetectorEstimate {
        let tick = gapFiller.fill(received)
        let t0 = firstTickS ?? tick.simTimeS
        firstTickS = t0
        lastTickS = tick.simTimeS
        // Pressure waves place the leak only where neither gas locator exists (liquids; gas with
        // `gas_locator: waves` or fewer than two line sensors): no need to track them otherwise.
        // They see the received tick: a stand-in's drop would be its neighbours' (the locator
        // passes over a failed transmitter itself).
        if gradient == nil && transient == nil { locator.observe(received) }
        // Calibrate in the learning period and afterwards whenever the balance is quiet.
        let quiet = tick.simTimeS - t0 <= config.learnS || z < 2
        gradient?.observe(tick, learning: quiet)
        transient?.observe(tick, quiet: quiet)
        if let r = balance.observe(tick) {
            residual = r
            if tick.simTimeS - t0 <= config.learnS, config.residualStd == nil { learned.add(r) }
            let mean = config.residualMean ?? learned.mean
            let base = max(config.residualStd ?? learned.std, balance.noiseStd, config.sigmaFloor, 1e-12)
            let packError = config.packUncertainty * balance.lastPackRate
            let sigma = (base * base + packError * packError).squareRoot()
            let learning = config.residualStd == nil && tick.simTimeS - t0 <= config.learnS
            z = learning ? 0 : (r - mean) / sigma
        }
        let probability = 1 / (1 + exp(-2 * (z - config.k)))
        guard probability >= 0.5 else {
            if tick.simTimeS - lastAlarmS > windowS {
                alarmSinceS = nil
                location = nil
                transient?.endEpisode()
            }
            return DetectorEstimate(probability: probability)
        }
        let since = alarmSinceS ?? tick.simTimeS
        alarmSinceS = since
        lastAlarmS = tick.simTimeS
        let excess = residual - (config.residualMean ?? learned.mean)
        // Gas: the transient model answers from the first minutes; once the alarm has lasted
        // `settleWindows` windows the pressure profile has settled and the quasi-steady
        // gradient (whose window then holds only the leak) takes over, while the transient
        // model, frozen since the alarm, drifts. Both are refreshed while the alarm lasts.
        let window = windowS
        let settled = tick.simTimeS - since >= Double(Self.settleWindows) * window
        if !settled,
            let x = transient?.locate(nowS: tick.simTimeS, alarmSinceS: since, searchS: 2 * window, leakFlow: excess),
            let p = transient?.geometry.position(ofChainage: x)
        {
            location = (p.pipeID, p.positionM, x)
        } else if let g = gradient?.locate(leakFlow: excess) {
            location = (g.pipeID, g.positionM, 0)
        }
        if location == nil { location = locator.locate(fromS: since - 2 * windowS, toS: tick.simTimeS) }
        let nominal = location.flatMap { nominalFlow[$0.pipeID] }.flatMap { $0 > 0 ? $0 : nil } ?? defaultNominal
        return DetectorEstimate(
            probability: probability, pipeID: location?.pipeID, positionM: location?.positionM,
            sizeFraction: nominal > 0 ? max(excess, 0) / nominal : nil)
    }

    mutating func reset() {
        gapFiller.reset()
        locator.reset()
        firstTickS = nil
        learned = RunningVariance()
        z = 0
        alarmSinceS = nil
        lastAlarmS = -.infinity
        location = nil
    }
}

@_cdecl("fluxion_detector_entry")
public func fluxionDetectorEntry() -> UnsafeRawPointer { DetectorExport.table(for: ThresholdDetector.self) }

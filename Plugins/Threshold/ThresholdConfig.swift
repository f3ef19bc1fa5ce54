import FluxionDetectorKit
import Foundation

/// The threshold detector's configuration (JSON, every field optional; docs/PLUGINS.md).
/// Defaults depend on the fluid: gas lines are slow (flow meters at 0.1 Hz, line pack), liquid
/// lines fast.
struct ThresholdConfig: Decodable {
    /// Alarm level in standard deviations of the residual (probability 0.5 at z = k).
    var k: Double?
    /// Length of one averaging block, s.
    var blockS: Double?
    /// Blocks per mass-balance window (window = blockS · windowBlocks).
    var windowBlocks: Int?
    /// Normal operation used to learn the residual's mean and standard deviation, s from the
    /// first tick. Leaks in this period are learned as normal.
    var learnS: Double?
    /// Fixed residual mean and standard deviation (flow units: liquid m³/s, gas Sm³/h); when
    /// both are given nothing is learned.
    var residualMean: Double?
    var residualStd: Double?
    /// Lower bound of the residual standard deviation, flow units.
    var sigmaFloor: Double?
    /// Relative uncertainty of the line-pack rate: u·|d(line pack)/dt| is added in quadrature to
    /// the residual's standard deviation (the pack is known from a few pressure sensors only;
    /// default 0.01).
    var packUncertainty: Double?
    /// Sensor ids counted as inflow / outflow (default: derived from the topology).
    var inflow: [String]?
    var outflow: [String]?
    /// Gas compressibility factor Z for line pack (default 1).
    var compressibility: Double?
    /// Liquid density for line pack, kg/m³ (default 1000).
    var density: Double?
    /// Gas line pack corrected by the measured temperature (default false: the twin's gas is
    /// isothermal at its reference temperature; its temperature readings follow the ground
    /// profile but do not enter the physics, so correcting for them adds a daily error).
    var temperatureCompensation: Bool?
    /// CUSUM of the pressure-wave detector: allowance and decision level, in noise σ.
    var waveAllowance: Double?
    var waveDecision: Double?
    /// Pressure-wave baseline time constant, s.
    var waveBaselineS: Double?
    /// Gas leak position: "transient" (a transient model of the line, default), "gradient"
    /// (quasi-steady hydraulic gradient) or "waves" (negative pressure waves only).
    var gasLocator: GasLocator?

    enum GasLocator: String, Decodable {
        case transient, gradient, waves
    }

    enum CodingKeys: String, CodingKey {
        case k, inflow, outflow, compressibility, density
        case temperatureCompensation = "temperature_compensation"
        case blockS = "block_s", windowBlocks = "window_blocks", learnS = "learn_s"
        case residualMean = "residual_mean", residualStd = "residual_std", sigmaFloor = "sigma_floor",
            packUncertainty = "pack_uncertainty"
        case waveAllowance = "wave_allowance", waveDecision = "wave_decision", waveBaselineS = "wave_baseline_s"
        case gasLocator = "gas_locator"
    }

    static func decode(_ bytes: [UInt8]) throws -> ThresholdConfig {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D }) { return ThresholdConfig() }
        do { return try JSONDecoder().decode(ThresholdConfig.self, from: Data(bytes)) } catch {
            throw DetectorConfigError("threshold configuration: \(error)")
        }
    }

    /// Checks ranges after defaults are applied.
    func validated(isGas: Bool) throws -> Resolved {
        let r = Resolved(
            k: k ?? 5, blockS: blockS ?? (isGas ? 60 : 1), windowBlocks: windowBlocks ?? (isGas ? 15 : 10),
            learnS: learnS ?? (isGas ? 3600 : 120), residualMean: residualMean, residualStd: residualStd,
            sigmaFloor: sigmaFloor ?? 0, packUncertainty: packUncertainty ?? 0.01,
            compressibility: compressibility ?? 1, density: density ?? 1000,
            waveAllowance: waveAllowance ?? (isGas ? 0.15 : 2), waveDecision: waveDecision ?? (isGas ? 12 : 20),
            waveBaselineS: waveBaselineS ?? (isGas ? 120 : 5), gasLocator: gasLocator ?? .transient)
        // The first field out of range is named (NaN fails every check).
        let checks: [(field: String, ok: Bool, rule: String)] = [
            ("k", r.k > 0 && r.k <= 1000, "in (0, 1000]"),
            ("block_s", r.blockS > 0 && r.blockS <= 3600, "in (0, 3600]"),
            ("window_blocks", (2...1000).contains(r.windowBlocks), "in 2…1000"),
            ("learn_s", r.learnS >= 0 && r.learnS <= 604_800, "in 0…604800 (a week)"),
            ("sigma_floor", r.sigmaFloor >= 0 && r.sigmaFloor.isFinite, "≥ 0 and finite"),
            ("pack_uncertainty", r.packUncertainty >= 0 && r.packUncertainty <= 1, "in 0…1"),
            ("compressibility", r.compressibility > 0 && r.compressibility <= 10, "in (0, 10]"),
            ("density", r.density > 0 && r.density <= 20_000, "in (0, 20000] kg/m³"),
            ("wave_allowance", r.waveAllowance >= 0 && r.waveAllowance <= 1000, "in 0…1000"),
            ("wave_decision", r.waveDecision > 0 && r.waveDecision <= 1e6, "in (0, 1e6]"),
            ("wave_baseline_s", r.waveBaselineS > 0 && r.waveBaselineS <= 86_400, "in (0, 86400]"),
            ("residual_mean", r.residualMean?.isFinite ?? true, "finite"),
            ("residual_std", r.residualStd.map { $0 > 0 && $0.isFinite } ?? true, "> 0 and finite"),
        ]
        if let bad = checks.first(where: { !$0.ok }) {
            throw DetectorConfigError("threshold configuration: \(bad.field) must be \(bad.rule)")
        }
        return r
    }

    struct Resolved {
        var k, blockS: Double
        var windowBlocks: Int
        var learnS: Double
        var residualMean, residualStd: Double?
        var sigmaFloor, packUncertainty, compressibility, density, waveAllowance, waveDecision, waveBaselineS: Double
        var gasLocator: GasLocator
    }
}

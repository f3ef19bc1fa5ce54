import Foundation
import Testing

/// `fluxion evaluate --config`: shared JSON or NAME=JSON per detector, through the real CLI and
/// the real threshold plugin build.
@Suite struct EvaluateCLITests {
    static let base = ["evaluate", "--scenario", "water-main-leak", "--scenarios", "1", "--seed", "3"]

    @Test func aConfigurationNamedForADetectorReachesIt() throws {
        // The threshold plugin refuses k ≤ 0: the error proves the named JSON got to it.
        let bad = try runProduct(
            "fluxion", Self.base + ["--detectors", "threshold", "--config", #"threshold={"k": -1}"#])
        #expect(bad.status != 0)
        #expect(bad.err.contains("threshold configuration: k must be in (0, 1000]"), "\(bad.err)")
        let negative = try runProduct(
            "fluxion", Self.base + ["--detectors", "threshold", "--config", #"{"pack_uncertainty": -0.1}"#])
        #expect(negative.status != 0)
        #expect(negative.err.contains("pack_uncertainty must be in 0…1"), "\(negative.err)")
        // Sizes that would make the detector allocate without bound are refused too.
        let huge = try runProduct(
            "fluxion", Self.base + ["--detectors", "threshold", "--config", #"{"window_blocks": 1000000000}"#])
        #expect(huge.status != 0)
        #expect(huge.err.contains("window_blocks must be in 2…1000"), "\(huge.err)")
        let good = try runProduct(
            "fluxion", Self.base + ["--detectors", "threshold", "--config", #"threshold={"k": 4}"#, "--json"])
        #expect(good.status == 0, "\(good.err)")
        #expect(good.out.contains("\"detectors\""), "\(good.out)")
    }

    @Test func aNameNotInTheDetectorsIsRefusedBeforeAnythingRuns() throws {
        let r = try runProduct("fluxion", Self.base + ["--detectors", "threshold", "--config", "lof={}"])
        #expect(r.status != 0)
        #expect(r.err.contains("lof is not in --detectors (threshold)"), "\(r.err)")
        let garbage = try runProduct("fluxion", Self.base + ["--detectors", "threshold", "--config", "k=5"])
        #expect(garbage.err.contains("k is not in --detectors"), "\(garbage.err)")
        let neither = try runProduct("fluxion", Self.base + ["--detectors", "threshold", "--config", "oops"])
        #expect(neither.err.contains("expected JSON ({…}) or NAME=JSON"), "\(neither.err)")
    }

    @Test func jobsMustBePositiveAndTheJSONCarriesTheMediansInterval() throws {
        let zero = try runProduct("fluxion", Self.base + ["--detectors", "threshold", "--jobs", "0"])
        #expect(zero.status != 0)
        #expect(zero.err.contains("--jobs must be at least 1"), "\(zero.err)")
        // Six cases: the fewest for which a 95 % interval of the median exists (x₍₁₎…x₍₆₎).
        let six = ["evaluate", "--scenario", "water-main-leak", "--scenarios", "6", "--seed", "3"]
        let r = try runProduct("fluxion", six + ["--detectors", "threshold", "--jobs", "2", "--json"])
        #expect(r.status == 0, "\(r.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let row = try #require((json["detectors"] as? [[String: Any]])?.first)
        let ci = try #require(row["loc_error_median_pct_ci95"] as? [Double], "\(row)")
        let median = try #require(row["loc_error_median_pct"] as? Double)
        #expect(ci.count == 2 && ci[0] <= median && median <= ci[1], "\(ci) around \(median)")
    }

    /// --sensor-fault and --noise-scale: refused with one line naming what is wrong; when good,
    /// the report says which instruments it was measured with.
    @Test func instrumentConditionsAreCheckedAndReported() throws {
        let t = Self.base + ["--detectors", "threshold"]
        let unknown = try runProduct("fluxion", t + ["--sensor-fault", "PT-NOPE=dropout"])
        #expect(unknown.status != 0)
        #expect(unknown.err.contains("sensor PT-NOPE is not in the scenario"), "\(unknown.err)")
        let fault = try runProduct("fluxion", t + ["--sensor-fault", "PT-2500=melted"])
        #expect(fault.status != 0 && fault.err.contains("expected ID=dropout or ID=freeze"), "\(fault.err)")
        let factor = try runProduct("fluxion", t + ["--noise-scale", "pressure=-3"])
        #expect(factor.status != 0 && factor.err.contains("the factor must be a number in 0…100"), "\(factor.err)")
        let quantity = try runProduct("fluxion", t + ["--noise-scale", "voltage=3"])
        #expect(quantity.status != 0 && quantity.err.contains("QUANTITY one of pressure, flow"), "\(quantity.err)")
        let good = try runProduct(
            "fluxion", t + ["--sensor-fault", "PT-2500=dropout", "--noise-scale", "pressure=3", "--json"])
        #expect(good.status == 0, "\(good.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(good.out.utf8)) as? [String: Any])
        #expect(json["sensor_faults"] as? [String: String] == ["PT-2500": "dropout"])
        #expect(json["noise_scale"] as? [String: Double] == ["pressure": 3])
        let text = try runProduct("fluxion", t + ["--sensor-fault", "PT-2500=freeze"])
        #expect(text.status == 0 && text.out.contains("instruments: PT-2500 freeze"), "\(text.out)")
    }

    /// A detector named without a model gets the one shipped for the scenario, as in fluxiond;
    /// a model named in the configuration is used instead.
    @Test func aDetectorWithoutAModelGetsTheShippedOne() throws {
        let r = try runProduct("fluxion", Self.base + ["--detectors", "pinn"])
        #expect(r.status == 0, "\(r.err)")
        #expect(
            r.err.contains("pinn: shipped model ") && r.err.contains("Plugins/PINN/models/pinn-water-main-leak.model"),
            "\(r.err)")
        #expect(r.out.contains("pinn: 1/1 leaks detected"), "\(r.out)")
        let named = try runProduct(
            "fluxion", Self.base + ["--detectors", "pinn", "--config", #"{"model": "/nonexistent.model"}"#])
        #expect(named.status != 0 && !named.err.contains("shipped model"), "\(named.err)")
        #expect(named.err.contains("/nonexistent.model"), "\(named.err)")
    }
}

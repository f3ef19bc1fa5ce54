import FluxionDetectorKit
import FluxionTwin

/// Simulates dataset cases and records, on a regular grid, every sensor's reading and the truth:
/// which leaks are open and how much they lose (docs/DATASETS.md).
///
/// Sampling: row k of a case is taken when the simulation has advanced to the first solver step
/// at or after `windowStartS + k·sampleS`; it holds each sensor's newest reading up to that step
/// (sample and hold, so sensors of every rate share the grid), NaN for a sensor that has not
/// reported yet or whose newest reading is invalid (dropped out). `time` is that step's time.
public struct DatasetGenerator: Sendable {
    /// The truth about one leak of a case, as the twin placed it (positions snapped to its grid).
    public struct LeakLabel: Sendable, Equatable, Codable {
        public var pipeID: String
        /// m from the pipe's start.
        public var positionM: Double
        public var lineID: String?
        /// m along the line from its start.
        public var chainageM: Double?
        /// Outflow at injection over the pipe's nominal flow.
        public var sizeFraction: Double
        /// The pipe's nominal flow (liquid m³/s, gas Sm³/h).
        public var pipeNominalFlow: Double
        /// Cd·A, m².
        public var effectiveAreaM2: Double
        /// s of simulated time when the leak starts to open.
        public var onsetS: Double
        /// s over which it opens linearly.
        public var rampS: Double

        enum CodingKeys: String, CodingKey {
            case pipeID = "pipe_id", positionM = "position_m", lineID = "line_id", chainageM = "chainage_m"
            case sizeFraction = "size_fraction", pipeNominalFlow = "pipe_nominal_flow"
            case effectiveAreaM2 = "effective_area_m2", onsetS = "onset_s", rampS = "ramp_s"
        }
    }

    /// What one case recorded.
    public struct CaseData: Sendable {
        public var index: Int
        /// `samples × sensors`, row-major; NaN: no valid reading.
        public var series: [Float]
        /// s of simulated time of each row.
        public var time: [Double]
        /// 1 from the first leak's onset on.
        public var leakOpen: [UInt8]
        /// The twin's total leak outflow at each row (liquid m³/s, gas Sm³/h).
        public var leakFlow: [Float]
        public var leaks: [LeakLabel]
    }

    public let scenario: Scenario
    public let network: NetworkDescription
    public let sampleS: Double
    /// Rows per case.
    public let samples: Int

    /// `scenario` without its own leaks and autopilot; rows every `sampleS` over `windowS`.
    public init(scenario: Scenario, sampleS: Double, windowS: Double) throws {
        var s = scenario
        s.leaks = []
        s.autopilot.enabled = false
        self.scenario = s
        network = NetworkDescription(try Simulation(scenario: s, seed: 0))
        self.sampleS = sampleS
        samples = Int((windowS / sampleS).rounded())
    }

    /// Runs one case.
    public func run(_ c: DatasetCase) throws -> CaseData {
        var sim = try Simulation(scenario: scenario, seed: c.seed)
        let pipes = Dictionary(uniqueKeysWithValues: network.pipes.map { ($0.id, $0) })
        var labels: [LeakLabel] = []
        for leak in c.leaks {
            let info = try sim.injectLeak(
                LeakRequest(
                    location: .pipe(id: leak.pipeID, positionM: leak.positionM),
                    size: .fractionOfNominalFlow(leak.sizeFraction), startS: leak.startS, rampS: leak.rampS,
                    source: "dataset"))
            labels.append(
                LeakLabel(
                    pipeID: info.pipeId, positionM: info.positionM, lineID: info.lineId, chainageM: info.chainageM,
                    sizeFraction: info.sizeFraction, pipeNominalFlow: pipes[info.pipeId]?.nominalFlow ?? 0,
                    effectiveAreaM2: info.effectiveAreaM2, onsetS: info.startS, rampS: info.rampS))
        }
        let sensors = network.sensors.count
        var latest = [Float](repeating: .nan, count: sensors)
        let hold: ([Reading]) -> Void = { readings in
            for r in readings where r.sensorIndex >= 0 && r.sensorIndex < sensors {
                latest[r.sensorIndex] = r.valid && r.value.isFinite ? Float(r.value) : .nan
            }
        }
        var data = CaseData(
            index: c.index, series: [], time: [], leakOpen: [], leakFlow: [], leaks: labels)
        data.series.reserveCapacity(samples * sensors)
        data.time.reserveCapacity(samples)
        let firstOnset = labels.map(\.onsetS).min()
        for k in 0..<samples {
            sim.advance(toTimeS: c.windowStartS + Double(k) * sampleS, hold)
            let t = sim.timeS
            data.series += latest
            data.time.append(t)
            data.leakOpen.append(firstOnset.map { t >= $0 } == true ? 1 : 0)
            data.leakFlow.append(Float(sim.leaks().reduce(0) { $0 + $1.currentFlow }))
        }
        return data
    }
}

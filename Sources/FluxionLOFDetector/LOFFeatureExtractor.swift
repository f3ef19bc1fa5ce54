import FluxionDetectorKit

/// Turns sensor ticks into the LOF detector's feature vectors (docs/LOF.md, "Features").
///
/// Per network, in this order:
/// - `balance`: the mass-balance residual, Σ inflow − Σ outflow over the flow sensors at the
///   network's entries and exits (liquid m³/s, gas Sm³/h); for gas less the rate of change of
///   line pack over the last window (Sm³/h, from the pressure sensors: each pipe's volume
///   shared among the sensors on it or at its ends, `NetworkDescription.linePackWeights`):
///   a gas line's pack swings by more than a leak's flow over a day of demand, liquid's not;
/// - `p:<sensor>` for each pressure sensor: its level;
/// - `dp:<sensor>` for each pressure sensor: its change over the last window.
///
/// Every feature is a running mean over `windowS` seconds of simulated time of the newest
/// sample of each sensor, so sensors with different sample rates combine; a vector is emitted
/// at each tick that brings a pressure sample, once two windows have passed. Consecutive
/// vectors are therefore strongly correlated: training keeps at most one per window
/// (`TrainingSampler`), so that LOF's neighbourhoods are not just a vector's neighbours in time.
/// Entries and exits: `NetworkDescription.boundaryFlowSensors()`. A pressure sensor that is
/// missing (dropped out, or never reported) is stood in for by its neighbours on the line
/// (`PressureStandIn`), so that one failed transmitter does not silence the detector; a missing
/// boundary flow meter does (no vector).
public struct LOFFeatureExtractor: Sendable {
    public let windowS: Double
    public let featureNames: [String]
    let pressureSensors: [Int]
    let inflowSensors: [Int]
    let outflowSensors: [Int]
    private let isPressure: [Bool]
    /// Gas: Sm³ of line pack per Pa of each sensor (0: none, and for liquids).
    private let packWeights: [Double]
    private var latest: [Double]
    private var have: [Bool]
    private var sums: [Double]
    private var history: [(t: Double, values: [Double])] = []
    private var previousMeans: [(t: Double, values: [Double])] = []
    private var startS: Double?
    private var standIn: PressureStandIn
    /// Σ outflow at the newest tick (liquid m³/s, gas Sm³/h): the scale for size estimates.
    public private(set) var lastOutflow = 0.0

    public init(network: NetworkDescription, windowS: Double = 30) {
        self.windowS = windowS
        var pressure: [Int] = []
        for (i, s) in network.sensors.enumerated() where s.quantity == "pressure" { pressure.append(i) }
        let (inflow, outflow) = network.boundaryFlowSensors()
        pressureSensors = pressure
        var flags = Array(repeating: false, count: network.sensors.count)
        for i in pressure { flags[i] = true }
        isPressure = flags
        inflowSensors = inflow
        outflowSensors = outflow
        packWeights = network.isGas ? network.linePackWeights().map { $0 / 101_325 } : flags.map { _ in 0 }
        let balanceName =
            (network.isGas ? "balance-linepack(in:" : "balance(in:")
            + inflow.map { network.sensors[$0].id }.joined(separator: "+")
            + ";out:" + outflow.map { network.sensors[$0].id }.joined(separator: "+") + ")"
        featureNames =
            [balanceName] + pressure.map { "p:\(network.sensors[$0].id)" }
            + pressure.map { "dp:\(network.sensors[$0].id)" }
        latest = Array(repeating: 0, count: network.sensors.count)
        have = Array(repeating: false, count: network.sensors.count)
        sums = Array(repeating: 0, count: 2 + pressure.count)
        standIn = PressureStandIn(ids: pressure.map { network.sensors[$0].id }, network: network)
    }

    public var dimension: Int { featureNames.count }

    /// Takes one tick; returns a feature vector when one is due.
    public mutating func observe(_ tick: DetectorTick) -> [Double]? {
        var pressureArrived = false
        for s in tick.samples where s.sensorIndex >= 0 && s.sensorIndex < latest.count {
            guard s.valid && s.value.isFinite else {
                have[s.sensorIndex] = false
                continue
            }
            latest[s.sensorIndex] = s.value
            have[s.sensorIndex] = true
            if isPressure[s.sensorIndex] { pressureArrived = true }
        }
        guard pressureArrived else { return nil }
        guard inflowSensors.allSatisfy({ have[$0] }), outflowSensors.allSatisfy({ have[$0] }) else { return nil }
        let stood = standIn.fill(pressureSensors.map { have[$0] ? latest[$0] : nil }, atS: tick.simTimeS)
        guard stood.allSatisfy({ $0 != nil }) else { return nil }
        let pressures = stood.map { $0 ?? 0 }
        lastOutflow = outflowSensors.reduce(0) { $0 + latest[$1] }
        let balance = inflowSensors.reduce(0) { $0 + latest[$1] } - lastOutflow
        let pack = zip(pressureSensors, pressures).reduce(0) { $0 + packWeights[$1.0] * $1.1 }
        let instant = [balance, pack] + pressures
        // Running mean over the window (simulated time).
        history.append((tick.simTimeS, instant))
        for k in instant.indices { sums[k] += instant[k] }
        while let first = history.first, first.t <= tick.simTimeS - windowS {
            for k in first.values.indices { sums[k] -= first.values[k] }
            history.removeFirst()
        }
        let means = sums.map { $0 / Double(history.count) }
        previousMeans.append((tick.simTimeS, means))
        while previousMeans.count > 1, previousMeans[1].t <= tick.simTimeS - windowS { previousMeans.removeFirst() }
        if startS == nil { startS = tick.simTimeS }
        guard tick.simTimeS - startS! >= 2 * windowS, let old = previousMeans.first else { return nil }
        let elapsedS = tick.simTimeS - old.t
        let packRate = elapsedS > 0 ? (means[1] - old.values[1]) / elapsedS * 3600 : 0
        let changes = (2..<means.count).map { means[$0] - old.values[$0] }
        return [means[0] - packRate] + means[2...] + changes
    }

    /// Gives the pressure stand-in the typical levels of the `p:` features (a model's training
    /// means, in `featureNames` order), for transmitters that never report.
    public mutating func setTypicalLevels(featureMeans means: [Double]) {
        guard !pressureSensors.isEmpty, means.count == dimension else { return }
        standIn.typical = Array(means[1..<(1 + pressureSensors.count)])
    }

    /// The sensor behind each `dp:` feature, in order.
    public var pressureSensorIndices: [Int] { pressureSensors }

    public mutating func reset() {
        history.removeAll()
        previousMeans.removeAll()
        for k in sums.indices { sums[k] = 0 }
        for k in have.indices { have[k] = false }
        startS = nil
        standIn.reset()
    }
}

/// Keeps at most one feature vector per window of simulated time for training: vectors closer
/// in time are running means over mostly the same samples.
public struct TrainingSampler: Sendable {
    public let intervalS: Double
    private var lastS = -Double.infinity
    public init(intervalS: Double) { self.intervalS = intervalS }

    public mutating func take(atS t: Double) -> Bool {
        guard t - lastS >= intervalS else { return false }
        lastS = t
        return true
    }
}

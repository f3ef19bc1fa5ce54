import FluxionDetectorKit

/// What the PINN detector sees: block means of the network's pressures, boundary flows and line
/// pack over the recent past, each relative to the block just before (docs/PINN.md, "Inputs").
///
/// Readings are held on a grid of `sampleS` (each channel's newest value at the first tick on or
/// after each grid time, as `fluxion generate` records them); `blockSamples` grid rows make a
/// block; the newest `blocks` blocks are compared with the block before them, the baseline.
/// Channels: every pressure sensor (Pa), Σ inflow and Σ outflow at the network's boundaries
/// (liquid m³/s, gas Sm³/h), and line pack (gas Sm³, liquid m³). A vector is due at every
/// completed block once `blocks + 1` blocks are held; rows with a channel missing are skipped.
public struct PINNFeatures: Sendable {
    /// How the inputs are formed; stored in the model so that the plugin forms them as training did.
    public struct Config: Codable, Sendable, Equatable {
        public var sampleS: Double
        public var blockSamples: Int
        public var blocks: Int
        public var pressureSensors: [String]
        public var inflowSensors: [String]
        public var outflowSensors: [String]

        enum CodingKeys: String, CodingKey {
            case sampleS = "sample_s", blockSamples = "block_samples", blocks
            case pressureSensors = "pressure_sensors", inflowSensors = "inflow_sensors"
            case outflowSensors = "outflow_sensors"
        }

        /// The defaults for a network: gas 1 s grid, 2 s blocks over 180 s; liquid its fastest
        /// pressure sensor's period, 60 blocks of one sample.
        public static func defaults(for network: NetworkDescription) -> Config {
            let (inflow, outflow) = network.boundaryFlowSensors()
            let pressure = network.sensors.filter { $0.quantity == "pressure" }
            let fastest = pressure.map(\.sampleRateHz).max() ?? 1
            return Config(
                sampleS: network.isGas ? max(1, 1 / fastest) : 1 / fastest,
                blockSamples: network.isGas ? 2 : 1, blocks: network.isGas ? 90 : 60,
                pressureSensors: pressure.map(\.id), inflowSensors: inflow.map { network.sensors[$0].id },
                outflowSensors: outflow.map { network.sensors[$0].id })
        }

        /// Channels: the pressures, Σ inflow, Σ outflow, line pack.
        public var channels: Int { pressureSensors.count + 3 }
        /// Inputs of the network.
        public var dimension: Int { channels * blocks }
        /// Simulated time one block covers, s.
        public var blockS: Double { sampleS * Double(blockSamples) }
    }

    public let config: Config
    private let pressure: [Int]
    private let inflow: [Int]
    private let outflow: [Int]
    private let packWeights: [Double]
    private var latest: [Double]
    private var have: [Bool]
    private var nextRowS: Double?
    private var rowSum: [Double]
    private var rowsInBlock = 0
    /// Block means, oldest first, at most `blocks + 1`.
    private var blockMeans: [[Double]] = []

    /// Sensors named by `config` that the network lacks.
    public static func missingSensors(_ config: Config, in network: NetworkDescription) -> [String] {
        let ids = Set(network.sensors.map(\.id))
        return (config.pressureSensors + config.inflowSensors + config.outflowSensors).filter { !ids.contains($0) }
    }

    /// - Precondition: every sensor of `config` is in `network` (`missingSensors` is empty).
    public init(config: Config, network: NetworkDescription) {
        self.config = config
        let index = Dictionary(network.sensors.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        pressure = config.pressureSensors.map { index[$0]! }
        inflow = config.inflowSensors.map { index[$0]! }
        outflow = config.outflowSensors.map { index[$0]! }
        let weights = network.linePackWeights()
        packWeights = weights.map { network.isGas ? $0 / 101_325 : $0 }
        latest = Array(repeating: 0, count: network.sensors.count)
        have = Array(repeating: false, count: network.sensors.count)
        rowSum = Array(repeating: 0, count: config.channels)
    }

    /// Takes one tick; returns the input vector when a block completes (newest block first,
    /// channel by channel: `[c0 b0, c0 b1, …, c1 b0, …]`).
    public mutating func observe(_ tick: DetectorTick) -> [Double]? {
        for s in tick.samples where s.sensorIndex >= 0 && s.sensorIndex < latest.count {
            if s.valid && s.value.isFinite {
                latest[s.sensorIndex] = s.value
                have[s.sensorIndex] = true
            } else {
                have[s.sensorIndex] = false
            }
        }
        let t = tick.simTimeS
        guard let next = nextRowS else {
            nextRowS = t + config.sampleS
            return nil
        }
        guard t >= next - 1e-9 else { return nil }
        nextRowS = t - next > config.sampleS ? t + config.sampleS : next + config.sampleS
        guard (pressure + inflow + outflow).allSatisfy({ have[$0] }) else { return nil }
        return addRow(row())
    }

    /// Takes one grid row of channel values directly (for building training sets from
    /// datasets, whose rows are already on the grid); same result as the ticks that make it.
    public mutating func addRow(_ values: [Double]) -> [Double]? {
        for k in values.indices { rowSum[k] += values[k] }
        rowsInBlock += 1
        guard rowsInBlock == config.blockSamples else { return nil }
        blockMeans.append(rowSum.map { $0 / Double(config.blockSamples) })
        for k in rowSum.indices { rowSum[k] = 0 }
        rowsInBlock = 0
        if blockMeans.count > config.blocks + 1 { blockMeans.removeFirst() }
        guard blockMeans.count == config.blocks + 1 else { return nil }
        return vector()
    }

    /// The channel values of the current readings: pressures, Σ inflow, Σ outflow, pack.
    public func row() -> [Double] {
        pressure.map { latest[$0] } + [
            inflow.reduce(0) { $0 + latest[$1] }, outflow.reduce(0) { $0 + latest[$1] },
            pressure.reduce(0) { $0 + packWeights[$1] * latest[$1] },
        ]
    }

    /// The channel row of a dataset sample (values by sensor index; NaN: missing → nil).
    public func row(fromSensorValues values: [Float]) -> [Double]? {
        func v(_ i: Int) -> Double? { values[i].isFinite ? Double(values[i]) : nil }
        var out: [Double] = []
        out.reserveCapacity(config.channels)
        var pack = 0.0
        for i in pressure {
            guard let x = v(i) else { return nil }
            out.append(x)
            pack += packWeights[i] * x
        }
        var sumIn = 0.0, sumOut = 0.0
        for i in inflow {
            guard let x = v(i) else { return nil }
            sumIn += x
        }
        for i in outflow {
            guard let x = v(i) else { return nil }
            sumOut += x
        }
        return out + [sumIn, sumOut, pack]
    }

    private func vector() -> [Double] {
        let base = blockMeans[0]
        var out: [Double] = []
        out.reserveCapacity(config.dimension)
        for c in 0..<config.channels {
            for j in 0..<config.blocks {
                out.append(blockMeans[config.blocks - j][c] - base[c])
            }
        }
        return out
    }

    public mutating func reset() {
        for k in have.indices { have[k] = false }
        nextRowS = nil
        for k in rowSum.indices { rowSum[k] = 0 }
        rowsInBlock = 0
        blockMeans.removeAll()
    }
}

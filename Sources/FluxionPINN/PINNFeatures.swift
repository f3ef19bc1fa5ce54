import FluxionDetectorKit

/// What the PINN detector sees: block means of the network's pressures, boundary flows and line
/// pack over the recent past, each relative to the block just before (docs/PINN.md, "Inputs"),
/// and, where the model asks for it, a long window of the mass balance.
///
/// Readings are held on a grid of `sampleS` (each channel's newest value at the first tick on or
/// after each grid time, as `fluxion generate` records them); `blockSamples` grid rows make a
/// block; the newest `blocks` blocks are compared with the block before them, the baseline.
/// Channels: every pressure sensor (Pa), Σ inflow and Σ outflow at the network's boundaries
/// (liquid m³/s, gas Sm³/h), and line pack (gas Sm³, liquid m³).
///
/// The long window (`longBlocks` > 0): blocks of `longBlockSamples` rows, the newest `longBlocks`
/// of them; per block the pressures and each boundary flow meter relative to the block before
/// the window (what the demand did, which moves the pressure profile as a leak does), and the
/// mass balance with line pack, Σ in − Σ out − d(line pack)/dt (in the flow unit), averaged over the
/// newest 1, 2, …, `longBlocks` blocks: what a leak older than the short window still shows.
///
/// A vector is due at every completed short block (`blockSamples` rows) once both windows are
/// full, even when the short window gives no inputs (`blocks` 0).
///
/// A pressure transmitter that is missing (dropped out, or never reported) is stood in for by its
/// neighbours on the line coordinate: interpolated between the nearest reporting transmitter on
/// each side (gas in p², which the steady isothermal profile makes linear along a pipe; liquid in
/// p), or the nearest one where it has none on one side, plus the offset between the transmitter
/// and that stand-in as it was while it reported (`PressureStandIn`). So a failed
/// transmitter moves no input by itself and the network keeps answering. A row with a boundary
/// flow missing, or a pressure with no reporting neighbour, is skipped.
public struct PINNFeatures: Sendable {
    /// How the inputs are formed; stored in the model so that the plugin forms them as training did.
    public struct Config: Codable, Sendable, Equatable {
        public var sampleS: Double
        public var blockSamples: Int
        public var blocks: Int
        public var pressureSensors: [String]
        public var inflowSensors: [String]
        public var outflowSensors: [String]
        /// Rows in a block of the long window; 0 with `longBlocks` 0: no long window.
        public var longBlockSamples: Int
        /// Blocks of the long window (0: none).
        public var longBlocks: Int

        public init(
            sampleS: Double, blockSamples: Int, blocks: Int, pressureSensors: [String], inflowSensors: [String],
            outflowSensors: [String], longBlockSamples: Int = 0, longBlocks: Int = 0
        ) {
            self.sampleS = sampleS
            self.blockSamples = blockSamples
            self.blocks = blocks
            self.pressureSensors = pressureSensors
            self.inflowSensors = inflowSensors
            self.outflowSensors = outflowSensors
            self.longBlockSamples = longBlockSamples
            self.longBlocks = longBlocks
        }

        enum CodingKeys: String, CodingKey {
            case sampleS = "sample_s", blockSamples = "block_samples", blocks
            case pressureSensors = "pressure_sensors", inflowSensors = "inflow_sensors"
            case outflowSensors = "outflow_sensors", longBlockSamples = "long_block_samples"
            case longBlocks = "long_blocks"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                sampleS: try c.decode(Double.self, forKey: .sampleS),
                blockSamples: try c.decode(Int.self, forKey: .blockSamples),
                blocks: try c.decode(Int.self, forKey: .blocks),
                pressureSensors: try c.decode([String].self, forKey: .pressureSensors),
                inflowSensors: try c.decode([String].self, forKey: .inflowSensors),
                outflowSensors: try c.decode([String].self, forKey: .outflowSensors),
                longBlockSamples: try c.decodeIfPresent(Int.self, forKey: .longBlockSamples) ?? 0,
                longBlocks: try c.decodeIfPresent(Int.self, forKey: .longBlocks) ?? 0)
        }

        /// The defaults for a network: gas a 1 s grid, a vector every 2 s, no short window and a
        /// long window of 60 s blocks over 30 min; liquid its fastest pressure sensor's period, 60
        /// blocks of one sample (the wave fronts) and a long window of 1 s blocks over 30 s (the
        /// mass balance, which holds the leak's outflow after the fronts have passed). `sampleS`:
        /// another grid (a dataset's), with the long blocks still 1 s of it on liquid.
        public static func defaults(for network: NetworkDescription, sampleS: Double? = nil) -> Config {
            let (inflow, outflow) = network.boundaryFlowSensors()
            let pressure = network.sensors.filter { $0.quantity == "pressure" }
            let fastest = pressure.map(\.sampleRateHz).max() ?? 1
            let grid = sampleS ?? (network.isGas ? max(1, 1 / fastest) : 1 / fastest)
            // Liquid: long blocks of 1 s of rows (bounded: a grid step is never below 1 µs).
            let perSecond = grid.isFinite && grid > 0 ? min(1e6, max(1, (1 / grid).rounded())) : 1
            return Config(
                sampleS: grid, blockSamples: network.isGas ? 2 : 1, blocks: network.isGas ? 0 : 60,
                pressureSensors: pressure.map(\.id), inflowSensors: inflow.map { network.sensors[$0].id },
                outflowSensors: outflow.map { network.sensors[$0].id },
                longBlockSamples: network.isGas ? 60 : Int(perSecond), longBlocks: 30)
        }

        /// Channels: the pressures, Σ inflow, Σ outflow, line pack.
        public var channels: Int { pressureSensors.count + 3 }
        /// Channels of the long window: the pressures, each boundary flow, the averaged mass balance.
        public var longChannels: Int {
            longBlocks > 0 ? pressureSensors.count + inflowSensors.count + outflowSensors.count + 1 : 0
        }
        /// Values in a grid row: the short window's channels, then each boundary flow.
        var rowWidth: Int { channels + inflowSensors.count + outflowSensors.count }
        /// Inputs of the network: the short window, then the long one.
        public var dimension: Int { channels * blocks + longChannels * longBlocks }
        /// Simulated time one block covers, s.
        public var blockS: Double { sampleS * Double(blockSamples) }
        /// Simulated time one block of the long window covers, s.
        public var longBlockS: Double { sampleS * Double(longBlockSamples) }
        /// The history the inputs need before the first vector, s (the long window holds two
        /// blocks more: its baseline, and the block before it for the baseline's line pack rate).
        public var historyS: Double {
            max(Double(blocks + 1) * blockS, longBlocks > 0 ? Double(longBlocks + 2) * longBlockS : 0) + sampleS
        }
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
    private var longSum: [Double]
    private var rowsInLongBlock = 0
    /// Long block means, oldest first, at most `longBlocks + 2` (the baseline and the block
    /// before it, whose line pack the baseline's rate needs).
    private var longMeans: [[Double]] = []
    /// Stands in for missing pressure transmitters.
    private var standIn: PressureStandIn
    /// Grid rows formed so far (the stand-in's clock: the same in training and in the plugin).
    private var rows = 0
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
        rowSum = Array(repeating: 0, count: config.rowWidth)
        longSum = Array(repeating: 0, count: config.rowWidth)
        packRateScale = network.isGas ? 3600 : 1
        standIn = PressureStandIn(ids: config.pressureSensors, network: network)
    }

    /// Line pack per s → the flow unit (gas Sm³/h, liquid m³/s).
    private let packRateScale: Double

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
        guard (inflow + outflow).allSatisfy({ have[$0] }) else { return nil }
        guard
            let row = row(
                pressures: pressure.map { have[$0] ? latest[$0] : nil }, flows: (inflow + outflow).map { latest[$0] })
        else { return nil }
        return addRow(row)
    }

    /// Takes one grid row (`row()`'s layout) directly (for building training sets from
    /// datasets, whose rows are already on the grid); same result as the ticks that make it.
    public mutating func addRow(_ values: [Double]) -> [Double]? {
        if config.longBlocks > 0 {
            for k in values.indices { longSum[k] += values[k] }
            rowsInLongBlock += 1
            if rowsInLongBlock == config.longBlockSamples {
                longMeans.append(longSum.map { $0 / Double(config.longBlockSamples) })
                for k in longSum.indices { longSum[k] = 0 }
                rowsInLongBlock = 0
                if longMeans.count > config.longBlocks + 2 { longMeans.removeFirst() }
            }
        }
        for k in values.indices { rowSum[k] += values[k] }
        rowsInBlock += 1
        guard rowsInBlock == config.blockSamples else { return nil }
        blockMeans.append(rowSum.map { $0 / Double(config.blockSamples) })
        for k in rowSum.indices { rowSum[k] = 0 }
        rowsInBlock = 0
        if blockMeans.count > config.blocks + 1 { blockMeans.removeFirst() }
        guard blockMeans.count == config.blocks + 1 else { return nil }
        guard config.longBlocks == 0 || longMeans.count == config.longBlocks + 2 else { return nil }
        return vector()
    }

    /// The grid row of a dataset sample (values by sensor index; NaN: missing); nil when a
    /// boundary flow is missing or a missing pressure has no reporting neighbour.
    public mutating func row(fromSensorValues values: [Float]) -> [Double]? {
        var flows: [Double] = []
        flows.reserveCapacity(inflow.count + outflow.count)
        for i in inflow + outflow {
            guard values[i].isFinite else { return nil }
            flows.append(Double(values[i]))
        }
        return row(pressures: pressure.map { values[$0].isFinite ? Double(values[$0]) : nil }, flows: flows)
    }

    /// The grid row: pressures (missing ones stood in for), Σ inflow, Σ outflow, pack, then each
    /// inflow and outflow.
    private mutating func row(pressures raw: [Double?], flows: [Double]) -> [Double]? {
        rows += 1
        let stood = standIn.fill(raw, atS: Double(rows) * config.sampleS)
        guard stood.allSatisfy({ $0 != nil }) else { return nil }
        let filled = stood.map { $0 ?? 0 }
        var out: [Double] = []
        out.reserveCapacity(config.rowWidth)
        var pack = 0.0
        for k in filled.indices {
            let value = filled[k]
            out.append(value)
            pack += packWeights[pressure[k]] * value
        }
        let sumIn = flows.prefix(inflow.count).reduce(0, +), sumOut = flows.dropFirst(inflow.count).reduce(0, +)
        return out + [sumIn, sumOut, pack] + flows
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
        guard config.longBlocks > 0 else { return out }
        // longMeans: [before baseline, baseline, oldest … newest]
        let n = config.longBlocks, p = config.pressureSensors.count
        let longBase = longMeans[1]
        for c in Array(0..<p) + Array(config.channels..<config.rowWidth) {
            for j in 0..<n { out.append(longMeans[n + 1 - j][c] - longBase[c]) }
        }
        var sum = 0.0
        for j in 0..<n {
            let b = longMeans[n + 1 - j]
            let rate = (b[p + 2] - longMeans[n - j][p + 2]) / config.longBlockS * packRateScale
            sum += b[p] - b[p + 1] - rate
            out.append(sum / Double(j + 1))
        }
        return out
    }

    public mutating func reset() {
        for k in have.indices { have[k] = false }
        standIn.reset()
        rows = 0
        nextRowS = nil
        for k in rowSum.indices { rowSum[k] = 0 }
        rowsInBlock = 0
        blockMeans.removeAll()
        for k in longSum.indices { longSum[k] = 0 }
        rowsInLongBlock = 0
        longMeans.removeAll()
    }
}

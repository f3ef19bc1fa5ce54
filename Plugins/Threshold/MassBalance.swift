import FluxionDetectorKit
import Foundation

/// Volume balance of a network over a sliding window: Σ inflow − Σ outflow − d(line pack)/dt,
/// from the flow meters (gas: standard-condition flows, Sm³/h; liquid: m³/s) and the line
/// pressures (gas: line pack V·(p/p_std)·(T_std/T)/Z in Sm³ with T from the temperature
/// sensors; liquid: the volume stored by compressing the liquid and stretching the pipe,
/// V·p/(ρa²) in m³, which is what makes the flows at the two ends differ while pressure waves
/// travel). A leak makes the residual positive.
///
/// Samples arrive at each sensor's own rate; the balance keeps each sensor's latest value and
/// averages over blocks of `blockS`, then over the last `windowBlocks` blocks. The line pack
/// rate is the change of the block-mean pack between the window's first and last blocks.
struct MassBalance {
    /// Per sensor index: +1 inflow, −1 outflow, 0 not a boundary flow.
    let flowSign: [Double]
    /// Per sensor index: share of the line volume assigned to this pressure sensor (gas: m³;
    /// liquid: m³ divided by ρa², i.e. m³ per Pa).
    let packWeight: [Double]
    let temperatureSensor: [Bool]
    let isGas: Bool
    let blockS: Double
    let windowBlocks: Int
    /// 1 / Z.
    let inverseZ: Double
    /// Standard deviation of each flow sensor's noise, estimated from successive differences.
    private var noise: [RunningVariance]
    private var last: [Double]
    private var flowsSeen = 0
    private let flowCount: Int
    private var blockStartS: Double?
    private var imbalanceSum = 0.0, imbalanceN = 0
    private var packSum = 0.0, packN = 0
    private var flowSamplesInBlock: [Int]
    /// Closed blocks (imbalance mean, pack mean, flow samples per sensor), newest last.
    private var blocks: [(imbalance: Double, pack: Double)] = []
    /// Samples per flow sensor in the current window (for the noise model).
    private var samplesPerWindow: [Double]

    init(network: NetworkDescription, config: ThresholdConfig, resolved: ThresholdConfig.Resolved) throws {
        let n = network.sensors.count
        isGas = network.isGas
        blockS = resolved.blockS
        windowBlocks = resolved.windowBlocks
        inverseZ = 1 / resolved.compressibility
        var signs = [Double](repeating: 0, count: n)
        if config.inflow != nil || config.outflow != nil {
            for (i, s) in network.sensors.enumerated() {
                if config.inflow?.contains(s.id) == true { signs[i] = 1 }
                if config.outflow?.contains(s.id) == true { signs[i] = -1 }
            }
        } else {
            signs = Self.boundarySigns(network)
        }
        guard signs.contains(1), signs.contains(-1) else {
            throw DetectorConfigError(
                "threshold: the network needs at least one inflow and one outflow meter (got \(signs.filter { $0 > 0 }.count) in, \(signs.filter { $0 < 0 }.count) out)"
            )
        }
        flowSign = signs
        flowCount = signs.filter { $0 != 0 }.count
        packWeight = network.linePackWeights(liquidDensity: resolved.density)
        let compensate = config.temperatureCompensation ?? false
        temperatureSensor = network.sensors.map { compensate && $0.quantity == "temperature" }
        noise = Array(repeating: RunningVariance(), count: n)
        last = Array(repeating: .nan, count: n)
        flowSamplesInBlock = Array(repeating: 0, count: n)
        samplesPerWindow = Array(repeating: 0, count: n)
    }

    /// Flow meters at the network's boundary: on a pipe leaving a node no pipe enters (inflow),
    /// on a pipe ending at a node no pipe leaves (outflow), or at a node (its external outflow).
    static func boundarySigns(_ network: NetworkDescription) -> [Double] {
        let entered = Set(network.pipes.map(\.toNode)), left = Set(network.pipes.map(\.fromNode))
        let pipes = Dictionary(network.pipes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return network.sensors.map { s in
            guard s.quantity == "flow" else { return 0 }
            if s.nodeID != nil { return -1 }
            guard let id = s.pipeID, let p = pipes[id] else { return 0 }
            if !entered.contains(p.fromNode) { return 1 }
            if !left.contains(p.toNode) { return -1 }
            return 0
        }
    }

    /// Observes one tick; returns the window residual when a block closes and the window is full.
    mutating func observe(_ tick: DetectorTick) -> Double? {
        var flowUpdated = false, pressureUpdated = false
        for s in tick.samples where s.valid && s.sensorIndex < last.count && s.value.isFinite {
            let i = s.sensorIndex
            if flowSign[i] != 0 {
                if !last[i].isNaN { noise[i].add(s.value - last[i]) } else { flowsSeen += 1 }
                flowUpdated = true
                flowSamplesInBlock[i] += 1
            }
            if packWeight[i] > 0 { pressureUpdated = true }
            last[i] = s.value
        }
        let start = blockStartS ?? tick.simTimeS
        blockStartS = start
        if flowUpdated, flowsSeen == flowCount { imbalanceSum += imbalance(); imbalanceN += 1 }
        if pressureUpdated, let pack = linePack() { packSum += pack; packN += 1 }
        guard tick.simTimeS - start >= blockS - 1e-3 else { return nil }
        blockStartS = tick.simTimeS
        defer { imbalanceSum = 0; imbalanceN = 0; packSum = 0; packN = 0 }
        guard imbalanceN > 0 else { return nil }
        blocks.append((imbalanceSum / Double(imbalanceN), packN > 0 ? packSum / Double(packN) : blocks.last?.pack ?? 0))
        for i in flowSamplesInBlock.indices where flowSign[i] != 0 {
            samplesPerWindow[i] += (Double(flowSamplesInBlock[i]) - samplesPerWindow[i] / Double(windowBlocks))
            flowSamplesInBlock[i] = 0
        }
        if blocks.count > windowBlocks { blocks.removeFirst(blocks.count - windowBlocks) }
        guard blocks.count == windowBlocks else { return nil }
        let meanImbalance = blocks.reduce(0) { $0 + $1.imbalance } / Double(windowBlocks)
        let packRate =
            (blocks[windowBlocks - 1].pack - blocks[0].pack) / (Double(windowBlocks - 1) * blockS) * (isGas ? 3600 : 1)
        lastPackRate = packRate
        return meanImbalance - packRate
    }

    /// d(line pack)/dt of the last window, flow units.
    private(set) var lastPackRate = 0.0

    /// Standard deviation of the window residual that sensor noise alone explains, flow units.
    var noiseStd: Double {
        var v = 0.0
        for i in flowSign.indices where flowSign[i] != 0 && noise[i].count > 1 {
            // Successive differences have twice the noise variance.
            v += noise[i].variance / 2 / max(samplesPerWindow[i], 1)
        }
        return v.squareRoot()
    }

    /// Latest Σ inflow − Σ outflow, flow units.
    private func imbalance() -> Double {
        var sum = 0.0
        for i in flowSign.indices where flowSign[i] != 0 { sum += flowSign[i] * last[i] }
        return sum
    }

    /// Gas in the lines at standard conditions, Sm³: Σ V·(p/p_std)·(T_std/T)/Z; liquid: volume
    /// stored by pressure, Σ V·p/(ρa²), m³.
    private func linePack() -> Double? {
        var pv = 0.0, tSum = 0.0, tN = 0.0
        for i in packWeight.indices {
            if packWeight[i] > 0 {
                guard last[i].isFinite else { return nil }
                pv += packWeight[i] * last[i]
            }
            if temperatureSensor[i], last[i].isFinite { tSum += last[i]; tN += 1 }
        }
        guard isGas else { return pv }
        let temperatureK = (tN > 0 ? tSum / tN : 15) + 273.15
        return pv / 101_325 * (288.15 / temperatureK) * inverseZ
    }
}

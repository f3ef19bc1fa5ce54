import FluxionDetectorKit

/// One line of the network as the gas locators see it: its pipes end to end from
/// chainage 0, the pressure sensors along it and the boundary flow meters, each placed at the
/// chainage where its flow enters or leaves the line.
public struct LineGeometry: Sendable {
    public struct Pipe: Sendable {
        public var id: String
        public var startM: Double
        public var lengthM: Double
        public var diameterM: Double
        public var waveSpeedMPerS: Double
        public var endM: Double { startM + lengthM }
    }
    /// A pressure sensor on the line.
    public struct Probe: Sendable {
        public var sensor: Int
        public var chainageM: Double
    }
    /// A boundary flow meter: +1 into the network, −1 out of it, at the chainage where the
    /// flow joins the line (a meter on a branch pipe: the branch's node on the line).
    public struct Meter: Sendable {
        public var sensor: Int
        public var sign: Double
        public var chainageM: Double
    }

    public let line: String
    public let pipes: [Pipe]
    public let probes: [Probe]
    public let meters: [Meter]
    /// The line starts at a node held at a fixed pressure (`NetworkDescription.pressureNodes`).
    public let heldStart: Bool
    public var lengthM: Double { pipes.last?.endM ?? 0 }

    /// The line with the most pipes, or nil when there is no line or no meter on it.
    public init?(network: NetworkDescription, flowSign: [Double]) {
        guard let (line, ids) = network.lines.max(by: { ($0.value.count, $1.key) < ($1.value.count, $0.key) }) else {
            return nil
        }
        let byID = Dictionary(network.pipes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var start = 0.0
        var pipes: [Pipe] = []
        var nodeChainage: [String: Double] = [:]
        for p in ids.compactMap({ byID[$0] }) {
            pipes.append(
                Pipe(
                    id: p.id, startM: start, lengthM: p.lengthM, diameterM: p.diameterM,
                    waveSpeedMPerS: p.waveSpeedMPerS))
            nodeChainage[p.fromNode] = nodeChainage[p.fromNode] ?? start
            start += p.lengthM
            nodeChainage[p.toNode] = start
        }
        guard !pipes.isEmpty else { return nil }
        var probes: [Probe] = []
        var meters: [Meter] = []
        for (i, s) in network.sensors.enumerated() {
            var x: Double?
            if let pid = s.pipeID, let p = pipes.first(where: { $0.id == pid }) {
                x = p.startM + min(max(s.positionM ?? 0, 0), p.lengthM)
            } else if let pid = s.pipeID, let branch = byID[pid] {
                x = nodeChainage[branch.fromNode] ?? nodeChainage[branch.toNode]
            } else if let node = s.nodeID {
                x = nodeChainage[node]
            }
            guard let chainage = x else { continue }
            if s.quantity == "pressure" { probes.append(Probe(sensor: i, chainageM: chainage)) }
            if i < flowSign.count, flowSign[i] != 0 {
                meters.append(Meter(sensor: i, sign: flowSign[i], chainageM: chainage))
            }
        }
        guard meters.contains(where: { $0.sign > 0 }), meters.contains(where: { $0.sign < 0 }) else { return nil }
        self.line = line
        self.pipes = pipes
        self.probes = probes.sorted { $0.chainageM < $1.chainageM }
        self.meters = meters
        let first = ids.first.flatMap { byID[$0] }?.fromNode
        heldStart = first.map { network.pressureNodes?.contains($0) ?? false } ?? false
    }

    /// Inflow meters at the line's start (within a metre of chainage 0).
    public var startMeters: [Meter] { meters.filter { $0.sign > 0 && $0.chainageM < 1 } }

    /// The pipe and the position along it of a chainage on the line (clamped to the line).
    public func position(ofChainage x: Double) -> (pipeID: String, positionM: Double) {
        let p = pipes.first(where: { x < $0.endM }) ?? pipes[pipes.count - 1]
        return (p.id, min(max(x - p.startM, 0), p.lengthM))
    }

    /// Pipe diameter at a chainage, m.
    public func diameter(atChainage x: Double) -> Double {
        (pipes.first(where: { x < $0.endM }) ?? pipes[pipes.count - 1]).diameterM
    }

    /// Line volume between two chainages, m³.
    public func volume(from x0: Double, to x1: Double) -> Double {
        pipes.reduce(0) { v, p in
            v + max(0, min(x1, p.endM) - max(x0, p.startM)) * Double.pi * p.diameterM * p.diameterM / 4
        }
    }

    /// Σ V/a² between two chainages, m³·s²/m²: mass stored per Pa (isothermal gas: ρ = p/a²).
    public func massCapacity(from x0: Double, to x1: Double) -> Double {
        pipes.reduce(0) { v, p in
            let a = max(p.waveSpeedMPerS, 1)
            return v + max(0, min(x1, p.endM) - max(x0, p.startM)) * Double.pi * p.diameterM * p.diameterM / 4 / (a * a)
        }
    }

    /// ∫ dx / D⁵ between two chainages, m⁻⁴: how friction scales along the line (Darcy–Weisbach
    /// with one friction factor: the drop of p² per unit length at a given standard flow goes
    /// as 1/D⁵).
    public func frictionLength(from x0: Double, to x1: Double) -> Double {
        pipes.reduce(0) { v, p in v + max(0, min(x1, p.endM) - max(x0, p.startM)) / pow5(p.diameterM) }
    }

    private func pow5(_ d: Double) -> Double { d * d * d * d * d }
}

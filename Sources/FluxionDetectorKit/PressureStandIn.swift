/// Stands in for pressure transmitters that are missing (dropped out, or never reported) with
/// their neighbours on the same line (by `NetworkDescription.lineCoordinate`): interpolated
/// between the nearest reporting transmitter on each side (gas in p², which the steady
/// isothermal profile makes linear along a pipe; liquid in p), or the nearest one where there is
/// none on one side, plus the offset between the transmitter and that stand-in while it
/// reported (averaged over `offsetTimeS`). So a failed transmitter does not step the values a
/// detector forms from it, and the detector keeps answering. For a transmitter that never
/// reported, the offset comes from `typical` levels when the detector has them (its training
/// means): what the transmitter read against what its neighbours read there.
public struct PressureStandIn: Sendable {
    /// Time over which a transmitter's offset from its stand-in is averaged, s.
    public static let offsetTimeS = 600.0
    /// Each transmitter's place on the line coordinate, m (nil: off the lines).
    private let coordinate: [Double?]
    /// Each transmitter's line (nil: off the lines); neighbours are taken on the same line only.
    private let line: [String?]
    private let isGas: Bool
    /// Each transmitter's mean of (reading − stand-in) while it reported (nil: it never reported
    /// together with a neighbour).
    private var offset: [Double?]
    /// Typical levels of the transmitters (e.g. a model's training means), for the offset of
    /// one that never reported; nil: such a one gets its neighbours' values as they are.
    public var typical: [Double]?

    /// For the pressure sensors `ids` of `network`, in that order.
    public init(ids: [String], network: NetworkDescription) {
        coordinate = network.lineCoordinates(ofSensors: ids)
        // The line whose stretch of the coordinate holds each transmitter (the first, at a node
        // two lines share).
        var stretches: [(line: String, from: Double, to: Double)] = []
        let lineOfPipe = Dictionary(
            network.pipes.compactMap { p in p.lineID.map { (p.id, $0) } }, uniquingKeysWith: { a, _ in a })
        for p in network.lineCoordinate().pipes {
            let id = lineOfPipe[p.id] ?? ""
            if let last = stretches.last, last.line == id {
                stretches[stretches.count - 1].to = p.startM + p.lengthM
            } else {
                stretches.append((id, p.startM, p.startM + p.lengthM))
            }
        }
        line = coordinate.map { x in x.flatMap { x in stretches.first { x >= $0.from && x <= $0.to }?.line } }
        isGas = network.isGas
        offset = Array(repeating: nil, count: ids.count)
    }

    /// Simulated time between offset updates while every transmitter reports, s (a detector
    /// calls `fill` on every tick or grid row; the offsets change over `offsetTimeS`).
    public static let offsetUpdateS = 10.0
    /// When the offsets were last updated, s.
    private var updatedS: Double?

    /// The pressures at time `atS` with the missing ones (nil) stood in for; a missing one with
    /// no reporting neighbour on its line (or off the lines) stays nil. Each reporting one's
    /// offset from its stand-in is updated with weight (time since the last update) /
    /// `offsetTimeS` — while every transmitter reports, at most every `offsetUpdateS`, and the
    /// readings come back as they are.
    public mutating func fill(_ raw: [Double?], atS: Double) -> [Double?] {
        if let updatedS, atS >= updatedS, atS - updatedS < Self.offsetUpdateS, !raw.contains(where: { $0 == nil }) {
            return raw
        }
        let dtS = updatedS.map { atS - $0 } ?? 0
        updatedS = atS
        let weight = dtS.isFinite ? min(1, max(0, dtS) / Self.offsetTimeS) : 0
        var out: [Double?] = []
        out.reserveCapacity(raw.count)
        for k in raw.indices {
            let standIn = neighbours(k, raw)
            if let x = raw[k] {
                if let standIn { offset[k] = offset[k].map { $0 + weight * (x - standIn - $0) } ?? (x - standIn) }
                out.append(x)
            } else if let standIn {
                if offset[k] == nil, let typical, typical.count == raw.count,
                    let typicalStandIn = neighbours(k, raw.indices.map { raw[$0] == nil ? nil : typical[$0] })
                {
                    offset[k] = typical[k] - typicalStandIn
                }
                out.append(standIn + (offset[k] ?? 0))
            } else {
                out.append(nil)
            }
        }
        return out
    }

    /// Transmitter `k` from the nearest reporting ones on each side of it; nil when it is off
    /// the lines or no other transmitter on them reports.
    private func neighbours(_ k: Int, _ raw: [Double?]) -> Double? {
        guard let x = coordinate[k], let own = line[k] else { return nil }
        var below: (x: Double, p: Double)?, above: (x: Double, p: Double)?
        for j in raw.indices where j != k {
            guard let p = raw[j], let xj = coordinate[j], line[j] == own else { continue }
            if xj <= x {
                if below.map({ xj > $0.x }) ?? true { below = (xj, p) }
            } else if above.map({ xj < $0.x }) ?? true {
                above = (xj, p)
            }
        }
        switch (below, above) {
        case (let b?, let a?):
            let w = (x - b.x) / (a.x - b.x)
            return isGas ? (max(0, b.p * b.p + (a.p * a.p - b.p * b.p) * w)).squareRoot() : b.p + (a.p - b.p) * w
        case (let b?, nil): return b.p
        case (nil, let a?): return a.p
        case (nil, nil): return nil
        }
    }

    /// Forgets the offsets (a detector's reset); keeps `typical`.
    public mutating func reset() {
        for k in offset.indices { offset[k] = nil }
        updatedS = nil
    }
}

extension NetworkDescription {
    /// Where each of the sensors `ids` sits on the line coordinate (`lineCoordinate`), m: a
    /// sensor on a line pipe at its position, one at a node where a line pipe starts or ends
    /// there; nil: off the lines (or not in the network).
    public func lineCoordinates(ofSensors ids: [String]) -> [Double?] {
        let line = lineCoordinate().pipes
        let byID = Dictionary(pipes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return ids.map { id in
            guard let sensor = sensors.first(where: { $0.id == id }) else { return nil }
            if let pipe = sensor.pipeID, let p = line.first(where: { $0.id == pipe }) {
                return p.startM + (sensor.positionM ?? 0)
            }
            guard let node = sensor.nodeID else { return nil }
            for p in line {
                guard let d = byID[p.id] else { continue }
                if d.fromNode == node { return p.startM }
                if d.toNode == node { return p.startM + p.lengthM }
            }
            return nil
        }
    }
}

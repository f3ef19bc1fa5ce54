/// Fills the invalid samples of failed pressure transmitters in a detector's ticks with
/// `PressureStandIn`'s values (flagged valid), so that a detector built on every transmitter of
/// the network (a line model, a line pack) keeps working when one fails. Ticks without an
/// invalid pressure sample pass unchanged.
public struct PressureGapFiller: Sendable {
    /// Each sensor's place among the pressure transmitters (−1: not one).
    private let slot: [Int]
    /// Each pressure transmitter's newest valid reading (nil: failed, or none yet).
    private var latest: [Double?]
    private var standIn: PressureStandIn

    /// For every pressure sensor of `network`.
    public init(network: NetworkDescription) {
        let pressure = network.sensors.indices.filter { network.sensors[$0].quantity == "pressure" }
        var slot = Array(repeating: -1, count: network.sensors.count)
        for (k, i) in pressure.enumerated() { slot[i] = k }
        self.slot = slot
        latest = Array(repeating: nil, count: pressure.count)
        standIn = PressureStandIn(ids: pressure.map { network.sensors[$0].id }, network: network)
    }

    /// The tick with each invalid pressure sample replaced by its stand-in (left as it is when
    /// no transmitter reports to stand in with).
    public mutating func fill(_ tick: DetectorTick) -> DetectorTick {
        var invalid: [(sample: Int, slot: Int)] = []
        var any = false
        for (n, s) in tick.samples.enumerated() where s.sensorIndex >= 0 && s.sensorIndex < slot.count {
            let k = slot[s.sensorIndex]
            guard k >= 0 else { continue }
            any = true
            if s.valid && s.value.isFinite {
                latest[k] = s.value
            } else {
                latest[k] = nil
                invalid.append((n, k))
            }
        }
        guard any else { return tick }
        let filled = standIn.fill(latest, atS: tick.simTimeS)
        guard !invalid.isEmpty else { return tick }
        var out = tick
        for (n, k) in invalid {
            guard let value = filled[k] else { continue }  // no neighbour reports: left invalid
            out.samples[n].value = value
            out.samples[n].valid = true
        }
        return out
    }

    /// Forgets the readings and offsets (a detector's reset).
    public mutating func reset() {
        for k in latest.indices { latest[k] = nil }
        standIn.reset()
    }
}

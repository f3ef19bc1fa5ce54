import FluxionDetectorKit

/// Negative-pressure-wave localization along the network's lines.
///
/// A leak sends a pressure drop both ways at the wave speed a. Each line pressure sensor runs a
/// one-sided CUSUM for a downward step (against a slowly tracking baseline, in units of its own
/// noise σ); the change point (the last time the CUSUM left zero) is the wave's arrival. With
/// the two earliest arrivals at neighbouring sensors A and B (chainages cA < cB, distance
/// L = cB − cA, Δt = tA − tB), the leak is at chainage x = cA + (L + a·Δt)/2, clamped to [cA, cB].
/// Neighbours are the nearest sensors that report: a failed (dropped-out) sensor is passed over,
/// so the sensors on either side of it bracket the leaks between them.
struct PressureWaveLocator {
    struct Probe {
        var sensorIndex: Int
        var line: String
        /// Position along the line, m.
        var chainageM: Double
        /// Time between samples, s.
        var intervalS: Double
    }

    private struct Track {
        var warm = RunningVariance()
        var mean = 0.0
        var variance = 0.0
        var cusum = 0.0
        var changeStartS = 0.0
        /// Sum and count of the samples since the change started (the new level).
        var changeSum = 0.0
        var changeCount = 0.0
        var holdUntilS = -Double.infinity
        var arrivals: [Double] = []
        /// Time of the newest valid sample, s.
        var lastValidS = -Double.infinity
    }

    let probes: [Probe]
    private var tracks: [Track]
    private var probeOfSensor: [Int]
    /// Pipes of each line in order: (id, chainage start, length, wave speed).
    private let lines: [String: [(id: String, startM: Double, lengthM: Double, waveSpeed: Double)]]
    let allowance: Double
    let decision: Double
    let baselineS: Double

    init(network: NetworkDescription, allowance: Double, decision: Double, baselineS: Double) {
        self.allowance = allowance
        self.decision = decision
        self.baselineS = baselineS
        let pipes = Dictionary(network.pipes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var lines: [String: [(id: String, startM: Double, lengthM: Double, waveSpeed: Double)]] = [:]
        for (line, ids) in network.lines {
            lines[line] = ids.compactMap { pipes[$0] }.map { ($0.id, $0.chainageStartM, $0.lengthM, $0.waveSpeedMPerS) }
        }
        self.lines = lines
        var probes: [Probe] = []
        for (i, s) in network.sensors.enumerated() where s.quantity == "pressure" {
            for (line, segs) in lines.sorted(by: { $0.key < $1.key }) {
                if let pid = s.pipeID, let seg = segs.first(where: { $0.id == pid }) {
                    probes.append(
                        Probe(
                            sensorIndex: i, line: line, chainageM: seg.startM + (s.positionM ?? 0),
                            intervalS: 1 / max(s.sampleRateHz, 1e-6)))
                    break
                }
                if let node = s.nodeID, let seg = segs.first(where: { pipes[$0.id]?.toNode == node }) {
                    probes.append(
                        Probe(
                            sensorIndex: i, line: line, chainageM: seg.startM + seg.lengthM,
                            intervalS: 1 / max(s.sampleRateHz, 1e-6)))
                    break
                }
            }
        }
        self.probes = probes.sorted { ($0.line, $0.chainageM) < ($1.line, $1.chainageM) }
        tracks = Array(repeating: Track(), count: probes.count)
        probeOfSensor = Array(repeating: -1, count: network.sensors.count)
        for (k, p) in self.probes.enumerated() { probeOfSensor[p.sensorIndex] = k }
    }

    mutating func observe(_ tick: DetectorTick) {
        for s in tick.samples where s.valid && s.value.isFinite && s.sensorIndex < probeOfSensor.count {
            let k = probeOfSensor[s.sensorIndex]
            if k >= 0 {
                tracks[k].lastValidS = tick.simTimeS
                update(&tracks[k], s.value, at: tick.simTimeS, dtS: probes[k].intervalS)
            }
        }
    }

    private func update(_ t: inout Track, _ x: Double, at time: Double, dtS: Double) {
        // Warm-up: plain mean and variance of the first samples.
        if t.warm.count < 20 {
            t.warm.add(x)
            t.mean = t.warm.mean
            t.variance = t.warm.variance
            return
        }
        let sigma = max(t.variance.squareRoot(), 1e-9)
        if time >= t.holdUntilS {
            let before = t.cusum
            t.cusum = max(0, t.cusum + (t.mean - x) / sigma - allowance)
            if before == 0, t.cusum > 0 {
                t.changeStartS = time
                t.changeSum = 0
                t.changeCount = 0
            }
            t.changeSum += x
            t.changeCount += 1
            if t.cusum > decision {
                t.arrivals.append(t.changeStartS)
                if t.arrivals.count > 16 { t.arrivals.removeFirst() }
                t.cusum = 0
                t.mean = t.changeSum / t.changeCount  // the level after the drop
                t.holdUntilS = time + baselineS
                return
            }
            if t.cusum > 0 { return }  // do not learn a step in progress as baseline
        }
        // Baseline: exponentially weighted mean and variance with time constant baselineS.
        let alpha = min(1, max(dtS, 1e-3) / baselineS)
        let d = x - t.mean
        t.mean += alpha * d
        t.variance = (1 - alpha) * (t.variance + alpha * d * d)
    }

    /// The leak's pipe and position from the earliest pair of neighbouring arrivals in
    /// `fromS…toS`, or nil when fewer than two sensors of a line saw a drop.
    func locate(fromS: Double, toS: Double) -> (pipeID: String, positionM: Double, chainageM: Double)? {
        // The earliest arrival is at one of the two sensors bracketing the leak; its partner is
        // the neighbour the wave reached first.
        var best: (time: Double, partner: Double, pipe: String, pos: Double, chainage: Double)?
        // Sensors reporting at `toS` (a valid sample within ten sample intervals, at least 2 s).
        let live = probes.indices.filter { tracks[$0].lastValidS >= toS - max(10 * probes[$0].intervalS, 2) }
        for (i, k) in live.enumerated() where i + 1 < live.count && probes[live[i + 1]].line == probes[k].line {
            let m = live[i + 1]
            let a = probes[k], b = probes[m]
            let length = b.chainageM - a.chainageM
            let speed = waveSpeed(line: a.line, from: a.chainageM, to: b.chainageM)
            for ta in arrivals(k, fromS, toS) {
                for tb in arrivals(m, fromS, toS) where abs(ta - tb) <= length / speed * 1.2 + 0.5 {
                    let x = min(max(a.chainageM + (length + speed * (ta - tb)) / 2, a.chainageM), b.chainageM)
                    let time = min(ta, tb), partner = max(ta, tb)
                    let better = best.map { time < $0.time || (time == $0.time && partner < $0.partner) } ?? true
                    if better, let (pipe, pos) = pipeAt(line: a.line, chainageM: x) {
                        best = (time, partner, pipe, pos, x)
                    }
                }
            }
        }
        return best.map { ($0.pipe, $0.pos, $0.chainage) }
    }

    private func arrivals(_ k: Int, _ fromS: Double, _ toS: Double) -> [Double] {
        tracks[k].arrivals.filter { $0 >= fromS && $0 <= toS }
    }

    /// Forgets every sensor's baseline, arrivals and last sample (a detector's reset).
    mutating func reset() {
        tracks = Array(repeating: Track(), count: probes.count)
    }

    /// Length-weighted mean wave speed of the line between two chainages, m/s.
    private func waveSpeed(line: String, from: Double, to: Double) -> Double {
        var w = 0.0, sum = 0.0
        for seg in lines[line] ?? [] {
            let overlap = min(to, seg.startM + seg.lengthM) - max(from, seg.startM)
            if overlap > 0 { w += overlap; sum += overlap * seg.waveSpeed }
        }
        return w > 0 ? sum / w : (lines[line]?.first?.waveSpeed ?? 1000)
    }

    private func pipeAt(line: String, chainageM x: Double) -> (String, Double)? {
        guard let segs = lines[line], !segs.isEmpty else { return nil }
        let seg =
            segs.first { x >= $0.startM && x <= $0.startM + $0.lengthM }
            ?? (x < segs[0].startM ? segs[0] : segs[segs.count - 1])
        return (seg.id, min(max(x - seg.startM, 0), seg.lengthM))
    }
}

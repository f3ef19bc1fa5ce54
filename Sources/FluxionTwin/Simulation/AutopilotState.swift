/// The autopilot's running state: its own random stream and its next draw time.
struct AutopilotState: Sendable {
    var config: AutopilotConfig
    var rng: SeededRandom
    var nextCheckS: Double
    /// Ids of leaks the autopilot opened.
    var leakIds: [String] = []

    init(config: AutopilotConfig, seed: UInt64) {
        self.config = config
        rng = SeededRandom(seed: seed, stream: 0xA070_9110)
        nextCheckS = config.checkIntervalS
    }
}

/// Incident autopilot: random leaks opened and later cleared.
extension Simulation {
    /// Turns the autopilot on or off (its random stream continues where it was).
    public mutating func setAutopilot(enabled: Bool) {
        autopilot.config.enabled = enabled
        if enabled && autopilot.nextCheckS < timeS { autopilot.nextCheckS = timeS + autopilot.config.checkIntervalS }
    }

    /// Current autopilot settings.
    public var autopilotConfig: AutopilotConfig { autopilot.config }

    /// One draw when due (called before each step).
    mutating func runAutopilot() {
        let c = autopilot.config
        // A check due at t_c draws on the first time level after t_c (EventTiming); the leak it
        // opens starts there and so flows from the next level.
        guard EventTiming.acts(eventS: autopilot.nextCheckS, atTimeS: timeS), c.checkIntervalS > 0 else { return }
        autopilot.nextCheckS += c.checkIntervalS
        let u = autopilot.rng.uniform(), pick = autopilot.rng.uniform(), where_ = autopilot.rng.uniform()
        let sizeU = autopilot.rng.uniform(), durU = autopilot.rng.uniform(), rampU = autopilot.rng.uniform()
        let open = leaks().filter { autopilot.leakIds.contains($0.id) }.count
        guard open < c.maxConcurrent else { return }
        let probability = c.leaksPerDay * c.checkIntervalS / 86_400 * c.risk(atTimeS: timeS)
        guard u < probability else { return }
        let weights = pipeRiskWeights()
        let total = weights.reduce(0, +)
        guard total > 0 else { return }
        var k = 0, acc = weights[0]
        while acc < pick * total && k < weights.count - 1 { k += 1; acc += weights[k] }
        let pipe = scenario.network.pipes[k]
        let fraction = c.sizeFractionMin + sizeU * (c.sizeFractionMax - c.sizeFractionMin)
        let duration = c.durationMinS + durU * (c.durationMaxS - c.durationMinS)
        let request = LeakRequest(
            location: .pipe(id: pipe.id, positionM: where_ * pipe.lengthM),
            size: .fractionOfNominalFlow(fraction), startS: timeS, rampS: rampU * c.rampMaxS,
            source: "autopilot", clearS: timeS + duration)
        if let info = try? injectLeak(request) { autopilot.leakIds.append(info.id) }
    }

    /// Weight of each pipe for the autopilot: length × the largest risk multiplier
    /// of the stations at its ends (1 with no station).
    func pipeRiskWeights() -> [Double] {
        let net = scenario.network
        return net.pipes.map { p in
            let m =
                net.stations.filter { $0.nodeId == p.fromNode || $0.nodeId == p.toNode }.map(\.riskMultiplier).max()
                ?? 1
            return p.lengthM * m
        }
    }
}

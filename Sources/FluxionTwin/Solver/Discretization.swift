/// The space–time grid: one global time step Δt and, per pipe, a whole number of
/// reaches N with Δx = L/N and an adjusted wave speed a' = Δx/Δt, so that every
/// pipe runs at Courant number exactly 1 (the characteristics hit grid points).
///
/// The Courant condition a·Δt ≤ Δx with at least one reach per pipe gives the
/// largest allowed step, min over pipes of L/a. Rounding L/(a·Δt) to whole
/// reaches changes each wave speed by a relative amount that must stay within
/// `waveSpeedTolerance` (default 5 %), or the step is refined (automatic step)
/// or refused (given step).
public struct Discretization: Sendable, Equatable {
    /// Global time step, s.
    public let timeStepS: Double
    /// Reaches per pipe (cells of the solver), in network pipe order.
    public let reaches: [Int]
    /// Wave speed per pipe after adjustment, m/s.
    public let waveSpeedsMS: [Double]
    /// Requested wave speed per pipe before adjustment, m/s.
    public let nominalWaveSpeedsMS: [Double]
    /// Largest time step the Courant condition allows, s.
    public let largestAllowedStepS: Double

    /// Reach length of pipe i, m.
    public func reachLengthM(_ i: Int, network: Network) -> Double {
        network.pipes[i].lengthM / Double(reaches[i])
    }

    /// Total number of reaches (solver cells).
    public var totalReaches: Int { reaches.reduce(0, +) }

    /// Builds the grid.
    /// - Parameters:
    ///   - timeStepS: the step to use, s; nil: the largest step with every pipe's
    ///     reaches no longer than `maxReachLengthM` and wave speeds within tolerance.
    ///   - maxReachLengthM: longest reach wanted with an automatic step, m.
    ///   - waveSpeedTolerance: largest relative wave-speed change allowed (0.05 = 5 %).
    /// - Throws: `TwinError.courantViolated` naming the largest allowed step;
    ///   `TwinError.waveSpeedAdjustmentTooLarge`.
    public init(
        network: Network, timeStepS: Double? = nil, maxReachLengthM: Double? = nil,
        waveSpeedTolerance: Double = 0.05
    ) throws(TwinError) {
        let speeds = network.pipes.map { $0.waveSpeedMS(fluid: network.fluid) }
        let travel = zip(network.pipes, speeds).map { $0.lengthM / $1 }
        guard let minIndex = travel.indices.min(by: { travel[$0] < travel[$1] }) else {
            throw .invalidValue(element: "network", field: "pipes", reason: "is empty")
        }
        let largest = travel[minIndex]
        nominalWaveSpeedsMS = speeds
        largestAllowedStepS = largest

        func fit(_ dt: Double) -> (reaches: [Int], speeds: [Double], worst: (Int, Double)) {
            var n = [Int](), a = [Double](), worst = (0, 0.0)
            for i in network.pipes.indices {
                let count = max(1, Int((travel[i] / dt).rounded()))
                let adjusted = network.pipes[i].lengthM / (Double(count) * dt)
                let rel = abs(adjusted - speeds[i]) / speeds[i]
                if rel > worst.1 { worst = (i, rel) }
                n.append(count)
                a.append(adjusted)
            }
            return (n, a, worst)
        }

        if let dt = timeStepS {
            guard dt > 0, dt.isFinite else {
                throw .invalidValue(element: "solver", field: "time_step_s", reason: "must be positive")
            }
            if dt > largest * (1 + 1e-9) {
                throw .courantViolated(pipe: network.pipes[minIndex].id, timeStepS: dt, largestAllowedS: largest)
            }
            let f = fit(dt)
            if f.worst.1 > waveSpeedTolerance {
                throw .waveSpeedAdjustmentTooLarge(
                    pipe: network.pipes[f.worst.0].id,
                    relativeChange: f.worst.1, tolerance: waveSpeedTolerance)
            }
            self.timeStepS = dt
            self.reaches = f.reaches
            self.waveSpeedsMS = f.speeds
            return
        }
        var base = largest
        if let dx = maxReachLengthM, dx > 0 {
            base = min(base, speeds.indices.map { dx / speeds[$0] }.min()!)
        }
        // Refine the step until every pipe's wave speed is within tolerance.
        for k in 1...1000 {
            let dt = base / Double(k)
            let f = fit(dt)
            if f.worst.1 <= waveSpeedTolerance {
                self.timeStepS = dt
                self.reaches = f.reaches
                self.waveSpeedsMS = f.speeds
                return
            }
        }
        let f = fit(base / 1000)
        throw .waveSpeedAdjustmentTooLarge(
            pipe: network.pipes[f.worst.0].id,
            relativeChange: f.worst.1, tolerance: waveSpeedTolerance)
    }
}

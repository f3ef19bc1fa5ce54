import FluxionTwin

/// What an evaluation does to the instruments, to measure how a detector copes with worse ones
/// than it was built or trained for: sensors failed from the start of every case (`dropout`:
/// readings flagged invalid; `freeze`: the first value repeated), and the noise of every sensor of
/// a quantity multiplied by a factor.
public struct InstrumentConditions: Sendable, Equatable {
    /// Sensor id → its fault for the whole case.
    public var faults: [String: SensorFault]
    /// Quantity → factor on every such sensor's noise standard deviation.
    public var noiseScale: [Quantity: Double]

    public init(faults: [String: SensorFault] = [:], noiseScale: [Quantity: Double] = [:]) {
        self.faults = faults
        self.noiseScale = noiseScale
    }

    /// Healthy instruments: the scenario as written.
    public var isNominal: Bool { faults.values.allSatisfy { $0 == .none } && noiseScale.values.allSatisfy { $0 == 1 } }

    /// Largest accepted noise factor.
    public static let maxNoiseScale = 100.0

    /// Checks the conditions against a scenario: every faulted sensor exists, every scaled
    /// quantity has a sensor, every factor is finite and in 0…`maxNoiseScale`.
    public func validate(against scenario: Scenario) throws(InstrumentConditionsError) {
        let sensors = scenario.sensors
        for id in faults.keys.sorted() where !sensors.contains(where: { $0.id == id }) {
            throw .unknownSensor(id)
        }
        for (q, k) in noiseScale.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            guard k.isFinite, (0...Self.maxNoiseScale).contains(k) else { throw .noiseScaleOutOfRange(q.name, k) }
            guard sensors.contains(where: { $0.quantity == q }) else { throw .noSensorOfQuantity(q.name) }
        }
    }

    /// The scenario with the noise scaled.
    public func applyNoise(to scenario: Scenario) -> Scenario {
        var s = scenario
        for i in s.sensors.indices {
            if let k = noiseScale[s.sensors[i].quantity] { s.sensors[i].noiseStdDev *= k }
        }
        return s
    }

    /// Commands the faults on a fresh simulation.
    public func applyFaults(to sim: inout Simulation) throws(TwinError) {
        for (id, fault) in faults.sorted(by: { $0.key < $1.key }) { try sim.setSensorFault(id: id, fault: fault) }
    }
}

/// Why instrument conditions do not fit a scenario.
public enum InstrumentConditionsError: Error, Equatable, CustomStringConvertible {
    case unknownSensor(String)
    case noSensorOfQuantity(String)
    case noiseScaleOutOfRange(String, Double)

    public var description: String {
        switch self {
        case .unknownSensor(let id): "sensor \(id) is not in the scenario"
        case .noSensorOfQuantity(let q): "the scenario has no \(q) sensor to scale the noise of"
        case .noiseScaleOutOfRange(let q, let k):
            "noise factor for \(q) must be in 0…\(Int(InstrumentConditions.maxNoiseScale)); got \(k)"
        }
    }
}

/// Everything needed to start a simulation: the network, its instruments, leaks
/// planned in advance, solver options and the incident autopilot.
public struct Scenario: Sendable, Equatable {
    public var name: String
    public var description: String
    public var network: Network
    public var sensors: [Sensor]
    /// Leaks injected when the simulation starts (they may start later).
    public var leaks: [LeakRequest]
    public var solver: SolverOptions
    public var autopilot: AutopilotConfig
    /// Suggested run length, s.
    public var durationS: Double
    /// Where field readings come from when the server takes them from a broker (nil: no mapping).
    public var field: FieldMapping?

    public init(
        name: String, description: String = "", network: Network, sensors: [Sensor] = [],
        leaks: [LeakRequest] = [], solver: SolverOptions = SolverOptions(),
        autopilot: AutopilotConfig = AutopilotConfig(), durationS: Double = 60, field: FieldMapping? = nil
    ) {
        self.field = field
        self.name = name
        self.description = description
        self.network = network
        self.sensors = sensors
        self.leaks = leaks
        self.solver = solver
        self.autopilot = autopilot
        self.durationS = durationS
    }
}

/// Grid options of a scenario.
public struct SolverOptions: Sendable, Equatable {
    /// Time step, s; nil: chosen from `maxReachLengthM` and the Courant condition.
    public var timeStepS: Double?
    /// Longest reach with an automatic step, m.
    public var maxReachLengthM: Double?
    /// Largest relative wave-speed adjustment allowed (0.05 = 5 %).
    public var waveSpeedTolerance: Double

    public init(timeStepS: Double? = nil, maxReachLengthM: Double? = nil, waveSpeedTolerance: Double = 0.05) {
        self.timeStepS = timeStepS
        self.maxReachLengthM = maxReachLengthM
        self.waveSpeedTolerance = waveSpeedTolerance
    }
}

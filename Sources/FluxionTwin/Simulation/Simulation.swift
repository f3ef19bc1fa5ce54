/// A running twin: the solver state, the sensors, the leaks and the autopilot, as
/// one value. This is the API the server and the offline tools drive:
///
///     var sim = try Simulation(scenario: scenario, seed: 42)
///     let leak = try sim.injectLeak(LeakRequest(location: .pipe(id: "P2", positionM: 300),
///                                               size: .fractionOfNominalFlow(0.02)))
///     while sim.timeS < 60 {
///         for reading in sim.step() { … }        // readings due at this tick
///     }
///     try sim.setSensorFault(id: "PT-1", fault: .freeze)
///     _ = try sim.clearLeak(id: leak.id)
///
/// Not thread-safe by itself (a value): one owner steps it.
public struct Simulation: Sendable {
    public let scenario: Scenario
    public let seed: UInt64
    /// The solver state (read access for probes and tests).
    public internal(set) var solver: TransientSolver
    var sensorStates: [SensorState]
    var leakRecords: [LeakRecord] = []
    var nextLeakNumber = 1
    /// Simulated times (s) at which the state became non-finite and was restarted from the
    /// steady state (see `step()`); empty in a healthy run.
    public private(set) var instabilities: [Double] = []
    var autopilot: AutopilotState
    /// Nominal flow per pipe, solver unit (given, or |steady flow|).
    let nominalFlow: [Double]
    /// Pipe index by id.
    let pipeIndex: [String: Int]

    /// Starts a simulation at t = 0 in the steady state.
    /// - Throws: `TwinError` for an invalid network, a bad step, unknown sensor locations, bad leaks.
    public init(scenario: Scenario, seed: UInt64 = 0) throws(TwinError) {
        self.scenario = scenario
        self.seed = seed
        solver = try TransientSolver(
            network: scenario.network, timeStepS: scenario.solver.timeStepS,
            maxReachLengthM: scenario.solver.maxReachLengthM,
            waveSpeedTolerance: scenario.solver.waveSpeedTolerance)
        var index = [String: Int]()
        for (i, p) in scenario.network.pipes.enumerated() { index[p.id] = i }
        pipeIndex = index
        let fluid = scenario.network.fluid
        let steadyFlow = solver.steady.pipeFlow
        nominalFlow = scenario.network.pipes.enumerated().map { k, p in
            p.nominalFlow.map { Boundaries.toSolverFlow($0, fluid: fluid) } ?? abs(steadyFlow[k])
        }
        sensorStates = []
        autopilot = AutopilotState(config: scenario.autopilot, seed: seed)
        var states = [SensorState]()
        for (i, s) in scenario.sensors.enumerated() {
            states.append(try SensorState(sensor: s, index: i, seed: seed, simulation: self))
        }
        sensorStates = states
        for request in scenario.leaks {
            var r = request
            r.source = request.source == "api" ? "scenario" : request.source
            _ = try injectLeak(r)
        }
    }

    /// Current simulated time, s.
    public var timeS: Double { solver.timeS }
    /// Global time step, s.
    public var timeStepS: Double { solver.timeStepS }

    /// Advances one time step and returns the readings due at the new time.
    public mutating func step() -> [Reading] {
        if autopilot.config.enabled { runAutopilot() }
        solver.step()
        // The whole state every 32 steps (a pass over the cells, too dear for every step);
        // every reading, every step: a non-finite value is never served as valid.
        if solver.stepCount & 31 == 0, !solver.sumsAreFinite { containInstability() }
        accumulateTotals()
        var readings = readingsDue()
        if readings.contains(where: { $0.valid && !$0.value.isFinite }) {
            containInstability()
            for i in readings.indices where !readings[i].value.isFinite {
                readings[i].valid = false  // shown as a dropout (NaN, not valid) this once
            }
        }
        return readings
    }

    /// A state that has become non-finite is never served (found by a reading, or by the check of
    /// the whole state every 32 steps): every open leak is closed, the cells
    /// restart from the initial steady state, and the time is recorded in `instabilities`.
    /// (Injected leaks are checked before they are accepted, so this is a last line of defence.)
    mutating func containInstability() {
        let t = timeS
        for i in leakRecords.indices where current(leakRecords[i]).state != .cleared {
            leakRecords[i].info.clearedS = t
        }
        solver.restartFromSteadyState()
        instabilities.append(t)
    }

    /// Steps until `timeS` reaches `targetS` (s) — the last step may pass it by less
    /// than one step — handing each tick's readings to `body`.
    public mutating func advance(toTimeS targetS: Double, _ body: ([Reading]) -> Void = { _ in }) {
        while solver.timeS < targetS - 1e-9 * max(1, abs(targetS)) {
            body(step())
        }
    }
}

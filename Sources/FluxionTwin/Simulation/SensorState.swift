/// The running state of one sensor: where it reads on the grid, its random
/// stream, its fault, its totalizer.
struct SensorState: Sendable {
    let sensor: Sensor
    /// Pipe index and position as configured (m; read at the nearest grid face), or node index.
    let pipe: Int?
    let positionM: Double
    let node: Int?
    /// Elevation at the sensor, m.
    let elevationM: Double
    var rng: SeededRandom
    /// Index of the next sample: sample k is due at k / rate, k = 1, 2, … (so a run
    /// of T seconds yields rate·T samples, the last at T).
    var nextSample: Int = 1
    var fault: SensorFault = .none
    var frozenValue: Double = .nan
    var lastValue: Double = .nan
    /// Totalized flow, user unit (m³ or Sm³).
    var total: Double
    /// Differential pressure = coefficient · ṁ|ṁ|/ρ, calibrated at t = 0.
    var dpCoefficient: Double = 0

    init(sensor: Sensor, index: Int, seed: UInt64, simulation sim: Simulation) throws(TwinError) {
        self.sensor = sensor
        let net = sim.scenario.network
        switch sensor.location {
        case let .pipe(id, x):
            guard let k = sim.pipeIndex[id] else { throw .unknownPipe(element: sensor.id, field: "pipe", pipe: id) }
            let l = net.pipes[k].lengthM
            guard x >= 0, x <= l else {
                throw .positionOutsidePipe(element: sensor.id, pipe: id, positionM: x, lengthM: l)
            }
            pipe = k
            positionM = x
            node = nil
            let z0 = net.nodes[sim.solver.fromNode[k]].elevationM, z1 = net.nodes[sim.solver.toNode[k]].elevationM
            elevationM = z0 + (z1 - z0) * sim.solver.gridPosition(pipe: k, positionM: x) / l
        case .node(let id):
            guard let j = net.nodeIndex(id) else { throw .unknownNode(element: sensor.id, field: "node", node: id) }
            pipe = nil
            positionM = 0
            node = j
            elevationM = net.nodes[j].elevationM
        }
        guard sensor.sampleRateHz > 0, sensor.sampleRateHz.isFinite else {
            throw .invalidValue(element: sensor.id, field: "sample_rate_hz", reason: "must be positive")
        }
        guard sensor.noiseStdDev >= 0, sensor.quantization >= 0 else {
            throw .invalidValue(element: sensor.id, field: "noise_std", reason: "and quantization must not be negative")
        }
        rng = SeededRandom(seed: seed, stream: UInt64(index) + 1)
        total = sensor.initialTotal
        if sensor.quantity == .differentialPressure {
            let (p, probed) = sim.probe(self)
            let flow = pipe.map { sim.nominalFlow[$0] } ?? abs(probed)
            let rho = sim.density(potential: p, elevationM: elevationM)
            dpCoefficient = flow != 0 ? sensor.nominalDifferentialPa * rho / (flow * flow) : 0
        }
    }
}

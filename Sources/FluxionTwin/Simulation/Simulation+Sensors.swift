import Foundation

/// Sampling the sensors: true values from the state, then bias, noise,
/// quantization and faults.
extension Simulation {
    /// Potential (liquid head m, gas Pa) and flow (solver unit) at a sensor.
    func probe(_ s: borrowing SensorState) -> (potential: Double, flow: Double) {
        if let k = s.pipe { return solver.probe(pipe: k, positionM: s.positionM) }
        let j = s.node!
        return (solver.nodePotential(j), solver.nodeExternalOutflow(j))
    }

    /// Density at a potential, kg/m³ (liquid: ρ0·(1 + p/K); gas: p/(Z·R·T(t))).
    func density(potential: Double, elevationM: Double) -> Double {
        switch scenario.network.fluid {
        case .liquid(let l):
            let p = l.densityKgM3 * l.gravityMS2 * (potential - elevationM)
            return l.densityKgM3 * (1 + p / l.bulkModulusPa)
        case .gas(let g):
            return g.densityKgM3(pressurePa: potential, temperatureK: g.temperatureC(atTimeS: timeS) + 273.15)
        }
    }

    /// Noise-free value of a sensor now, in its reading unit.
    func trueValue(_ s: borrowing SensorState) -> Double {
        let fluid = scenario.network.fluid
        let (potential, flow) = probe(s)
        switch (s.sensor.quantity, fluid) {
        case (.pressure, .liquid(let l)): return l.densityKgM3 * l.gravityMS2 * (potential - s.elevationM)
        case (.pressure, .gas): return potential
        case (.head, .liquid): return potential
        case (.head, .gas): return potential / (density(potential: potential, elevationM: 0) * 9.81)
        case (.flow, _): return Boundaries.fromSolverFlow(flow, fluid: fluid)
        case (.temperature, .liquid(let l)): return l.temperatureC
        case (.temperature, .gas(let g)): return g.temperatureC(atTimeS: timeS)
        case (.density, .gas(let g)) where s.sensor.standardConditions: return g.standardDensityKgM3
        case (.density, .liquid(let l)) where s.sensor.standardConditions: return l.densityKgM3
        case (.density, _): return density(potential: potential, elevationM: s.elevationM)
        case (.differentialPressure, _):
            return s.dpCoefficient * flow * abs(flow) / density(potential: potential, elevationM: s.elevationM)
        case (.totalizedFlow, _): return s.total
        }
    }

    /// Integrates totalizers over the step just taken.
    mutating func accumulateTotals() {
        let dt = timeStepS
        let perSecond = scenario.network.fluid.isGas ? 1.0 / 3600 : 1.0  // Sm³/h → Sm³/s
        for i in sensorStates.indices where sensorStates[i].sensor.quantity == .totalizedFlow {
            let flow = Boundaries.fromSolverFlow(probe(sensorStates[i]).flow, fluid: scenario.network.fluid)
            sensorStates[i].total += flow * perSecond * dt
        }
    }

    /// Readings whose sample time has come (at most one per sensor per tick).
    mutating func readingsDue() -> [Reading] {
        let t = timeS
        var out = [Reading]()
        out.reserveCapacity(sensorStates.count)
        let isGas = scenario.network.fluid.isGas
        for i in sensorStates.indices {
            let rate = sensorStates[i].sensor.sampleRateHz
            guard Double(sensorStates[i].nextSample) / rate <= t + 1e-9 else { continue }
            sensorStates[i].nextSample = Int(((t + 1e-9) * rate).rounded(.down)) + 1
            out.append(sample(i, unit: sensorStates[i].sensor.quantity.unit(isGas: isGas)))
        }
        return out
    }

    /// Takes one sample of sensor i now (draws noise even when faulty, so the
    /// random stream does not depend on faults).
    mutating func sample(_ i: Int, unit: String) -> Reading {
        let s = sensorStates[i].sensor
        let noise = sensorStates[i].rng.normal()
        var value = trueValue(sensorStates[i]) + s.bias + s.noiseStdDev * noise
        if s.quantization > 0 { value = (value / s.quantization).rounded() * s.quantization }
        var valid = true
        switch sensorStates[i].fault {
        case .none:
            sensorStates[i].lastValue = value
        case .dropout:
            value = .nan
            valid = false
        case .freeze:
            value = sensorStates[i].frozenValue
        }
        return Reading(
            sensorId: s.id, quantity: s.quantity, value: value, unit: unit, simTimeS: timeS, valid: valid,
            sensorIndex: i)
    }

    /// Commands a sensor fault (none, dropout, freeze). Freeze holds the last good value.
    public mutating func setSensorFault(id: String, fault: SensorFault) throws(TwinError) {
        guard let i = sensorStates.firstIndex(where: { $0.sensor.id == id }) else { throw .unknownSensor(id) }
        if fault == .freeze && sensorStates[i].fault != .freeze {
            let last = sensorStates[i].lastValue
            sensorStates[i].frozenValue = last.isNaN ? trueValue(sensorStates[i]) : last
        }
        sensorStates[i].fault = fault
    }

    /// Current fault of a sensor.
    public func sensorFault(id: String) -> SensorFault? {
        sensorStates.first { $0.sensor.id == id }?.fault
    }
}

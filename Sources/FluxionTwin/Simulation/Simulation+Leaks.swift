/// Injecting, clearing and listing leaks.
extension Simulation {
    /// Opens a leak. Sizes given as a fraction of nominal flow are turned into an
    /// effective area Cd·A at the pressure there now.
    /// - Returns: the leak as resolved (id, grid position, area, times).
    /// - Throws: unknown pipe or line, position outside the pipe, non-positive size.
    @discardableResult
    public mutating func injectLeak(_ request: LeakRequest) throws(TwinError) -> LeakInfo {
        let net = scenario.network
        let id = "L\(nextLeakNumber)"
        let (k, x, lineId, chainage) = try resolve(request.location, element: id)
        let pipe = net.pipes[k]
        guard x >= 0, x <= pipe.lengthM else {
            throw .positionOutsidePipe(element: id, pipe: pipe.id, positionM: x, lengthM: pipe.lengthM)
        }
        let local = solver.probe(pipe: k, positionM: x)
        let z0 = net.nodes[solver.fromNode[k]].elevationM, z1 = net.nodes[solver.toNode[k]].elevationM
        let z = z0 + (z1 - z0) * x / pipe.lengthM
        let unitFlow = orificeFlowPerArea(potential: local.potential, elevationM: z)
        let nominal = nominalFlow[k]
        let area: Double
        let fraction: Double
        switch request.size {
        case .effectiveAreaM2(let a):
            guard a > 0, a.isFinite else {
                throw .invalidValue(element: id, field: "effective_area_m2", reason: "must be positive")
            }
            area = a
            fraction = nominal > 0 ? a * unitFlow / nominal : 0
        case .fractionOfNominalFlow(let f):
            guard f > 0, f.isFinite else {
                throw .invalidValue(element: id, field: "size_fraction", reason: "must be positive")
            }
            guard nominal > 0 else {
                throw .invalidValue(
                    element: id, field: "size_fraction", reason: "pipe '\(pipe.id)' has no nominal flow")
            }
            guard unitFlow > 0 else {
                throw .invalidValue(
                    element: id, field: "size_fraction", reason: "no pressure to drive a leak at \(x) m")
            }
            area = f * nominal / unitFlow
            fraction = f
        }
        guard request.rampS >= 0, request.rampS <= Self.maxLeakRampS else {
            throw .invalidValue(element: id, field: "ramp_s", reason: "must be 0…\(Self.maxLeakRampS) s")
        }
        let sizeField = request.size.fieldName
        guard area <= pipe.areaM2 else {
            throw .invalidValue(
                element: id, field: sizeField,
                reason:
                    "needs an orifice of \(area) m², larger than the cross-section of pipe '\(pipe.id)' (\(pipe.areaM2) m²)"
            )
        }
        for (field, value) in [("start_s", request.startS), ("clear_s", request.clearS)] {
            if let v = value, !v.isFinite {
                throw .invalidValue(element: id, field: field, reason: "must be a finite time in s")
            }
        }
        try checkPhysical(pipe: k, positionM: x, area: area, rampS: request.rampS, element: id, field: sizeField)
        let start = max(request.startS ?? timeS, timeS)
        let (key, resolved) = solver.addLeak(
            pipe: k, positionM: x, dischargeAreaM2: area, startS: start, rampS: request.rampS)
        if let c = request.clearS { solver.clearLeak(key: key, atS: max(c, start)) }
        nextLeakNumber += 1
        let info = LeakInfo(
            id: id, pipeId: pipe.id, positionM: resolved, lineId: lineId,
            chainageM: chainage.map { $0 + resolved - x }, effectiveAreaM2: area,
            dischargeCoefficient: request.dischargeCoefficient, sizeFraction: fraction,
            startS: start, rampS: request.rampS, state: .scheduled,
            clearedS: request.clearS.map { max($0, start) }, currentFlow: 0, source: request.source)
        leakRecords.append(LeakRecord(info: info, key: key, pipe: k))
        return current(leakRecords[leakRecords.count - 1])
    }

    /// Longest leak opening ramp accepted, s (a day).
    public static let maxLeakRampS = 86_400.0
    /// Lowest pressure a leak may drive the network to: gas absolute pressure, Pa (below the
    /// atmosphere a leak would draw air in, which the model does not describe).
    public static let minimumGasPressurePa = 101_325.0
    /// Liquid pressure head above the ambient, m: about −10 m is vapour pressure (cavitation,
    /// column separation), which the model does not describe.
    public static let minimumLiquidPressureHeadM = -10.0

    /// Fastest flow a leak may cause, as a Mach number: the model leaves out the convective
    /// term ρv², about M² of the pressure (9 % at Mach 0.3).
    public static let maximumMach = 0.3

    /// Refuses a leak that would drive the network outside what the model describes: runs a
    /// copy of the solver with the leak opened now over its ramp (at most an hour) and long
    /// enough after for waves to cross the longest pipe several times (at least 10 min), and
    /// checks the state stays finite, above the pressure floor and below `maximumMach`.
    func checkPhysical(
        pipe k: Int, positionM x: Double, area: Double, rampS: Double, element: String, field: String
    ) throws(TwinError) {
        var trial = solver
        _ = trial.addLeak(pipe: k, positionM: x, dischargeAreaM2: area, startS: trial.timeS, rampS: rampS)
        let net = scenario.network
        var crossing = 0.0
        for (j, pipe) in net.pipes.enumerated() {
            crossing = max(crossing, pipe.lengthM / solver.grid.waveSpeedsMS[j])
        }
        let endS = trial.timeS + min(rampS, 3600) + max(600, 6 * crossing)
        let floor = net.fluid.isGas ? Self.minimumGasPressurePa : Self.minimumLiquidPressureHeadM
        let unit = net.fluid.isGas ? "Pa" : "m of pressure head"
        var steps = 0
        while trial.timeS < endS {
            trial.step()
            steps += 1
            guard steps % 16 == 0 || trial.timeS >= endS else { continue }
            let low = trial.lowestPressure()
            guard trial.sumsAreFinite, low.value.isFinite else {
                throw .invalidValue(
                    element: element, field: field,
                    reason: "is too large: the network's state breaks down \(trial.timeS - timeS) s after it opens")
            }
            let fast = trial.highestMach()
            if fast.value > Self.maximumMach {
                throw .invalidValue(
                    element: element, field: field,
                    reason:
                        "is too large: \(trial.timeS - timeS) s after it opens the flow in pipe '\(net.pipes[fast.pipe].id)' at \(fast.positionM.rounded()) m reaches Mach \(fast.value), above the \(Self.maximumMach) the model describes"
                )
            }
            if low.value < floor {
                throw .invalidValue(
                    element: element, field: field,
                    reason:
                        "is too large: \(trial.timeS - timeS) s after it opens the pressure in pipe '\(net.pipes[low.pipe].id)' at \(low.positionM.rounded()) m falls to \(low.value) \(unit), below the \(floor) the model describes"
                )
            }
        }
    }

    /// Closes a leak now.
    @discardableResult
    public mutating func clearLeak(id: String) throws(TwinError) -> LeakInfo {
        guard let i = leakRecords.firstIndex(where: { $0.info.id == id }) else { throw .unknownLeak(id) }
        if current(leakRecords[i]).state != .cleared {
            solver.clearLeak(key: leakRecords[i].key, atS: timeS)
            leakRecords[i].info.clearedS = timeS
        }
        return current(leakRecords[i])
    }

    /// Leaks with their current state and outflow (liquid m³/s, gas Sm³/h).
    public func leaks(includeCleared: Bool = false) -> [LeakInfo] {
        leakRecords.map(current).filter { includeCleared || $0.state != .cleared }
    }

    /// A record brought up to date with the solver.
    func current(_ r: LeakRecord) -> LeakInfo {
        var info = r.info
        if let c = info.clearedS, timeS >= c {
            info.state = .cleared
        } else if EventTiming.acts(eventS: info.startS, atTimeS: timeS) {
            info.state = .active
        } else {
            info.state = .scheduled
        }
        // The outflow over the step from now: a leak cleared at this very time level still
        // flows over that step (EventTiming) and reads 0 from the next.
        info.currentFlow = Boundaries.fromSolverFlow(solver.leakOutflow(key: r.key), fluid: scenario.network.fluid)
        return info
    }

    /// Orifice flow per unit Cd·A at a potential, solver unit per m².
    func orificeFlowPerArea(potential: Double, elevationM z: Double) -> Double {
        switch scenario.network.fluid {
        case .liquid(let l): Orifice.liquidFlow(dischargeAreaM2: 1, headM: potential - z, gravityMS2: l.gravityMS2)
        case .gas(let g): Orifice.gasMassFlow(dischargeAreaM2: 1, pressurePa: potential, gas: g)
        }
    }

    /// Pipe index and position for a location; line chainage when given by line.
    func resolve(
        _ location: LeakRequest.Location, element: String
    ) throws(TwinError)
        -> (pipe: Int, positionM: Double, lineId: String?, chainageM: Double?)
    {
        let net = scenario.network
        switch location {
        case let .pipe(id, x):
            guard let k = pipeIndex[id] else { throw .unknownPipe(element: element, field: "pipe", pipe: id) }
            let line = net.lines.first { $0.pipeIds.contains(id) }
            let start = line.map { lineChainageStart(line: $0, pipeId: id) }
            return (k, x, line?.id, start.map { $0 + x })
        case let .line(id, c):
            guard let line = net.lines.first(where: { $0.id == id }) else {
                throw .invalidValue(element: element, field: "line", reason: "names unknown line '\(id)'")
            }
            var start = 0.0
            for pid in line.pipeIds {
                let k = pipeIndex[pid]!
                let l = net.pipes[k].lengthM
                if c >= start && c <= start + l { return (k, c - start, id, c) }
                start += l
            }
            throw .invalidValue(
                element: element, field: "chainage_m", reason: "\(c) m is outside line '\(id)' (0…\(start) m)")
        }
    }

    /// Chainage of a pipe's start along its line, m (sum of the lengths before it).
    func lineChainageStart(line: Line, pipeId: String) -> Double {
        var start = 0.0
        for pid in line.pipeIds {
            if pid == pipeId { return start }
            start += scenario.network.pipes[pipeIndex[pid]!].lengthM
        }
        return start
    }
}

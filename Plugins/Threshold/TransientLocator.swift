import FluxionDetectorKit
import FluxionLineModel

/// Gas leak localization with a transient model of the line (a real-time transient model, as
/// pipeline operators run them, reduced to what localization needs).
///
///     metered flows ──► LineModel (line pack, inertia, friction) ──► model pressure at each
///                                                                      sensor (and inflow)
///     measured pressure (and metered inflow at a held supply) ──── − ──► residual rₖ(t)
///
/// In normal operation the model follows the line: its friction coefficients are calibrated
/// per stretch between pressure sensors (least squares of measured p_a² − p_b² against the
/// model's Σ c·Q|Q|, forgetting with a 6 h time constant) and its pressures are nudged toward
/// the measurements with a time constant of `nudgeS`. A leak is not in the model, so the
/// residuals start to fall where the leak draws gas out of the line and the fall spreads
/// outward as line pack moves toward it; their pattern over sensors and time says where.
///
/// When the balance alarms, the locator freezes calibration and nudging, runs the model from
/// its present state once per candidate position (each cell centre) with a leak added, and
/// takes the difference from a run without it: the unit response gₖ(x, τ) of every sensor.
/// The leak at x opening at t₀ with flow q explains the residuals as
///
///     rₖ(t) = oₖ + β·t − q · gₖ(x, t − t₀)
///
/// (oₖ: each sensor's offset before the leak; β: one drift shared by all sensors, the frozen
/// model's own level wandering), and the answer is the x (between cell centres by linear
/// interpolation of the responses, which is exact for the discrete model), t₀ and q ≥ 0 of
/// least weighted squares (weights: each sensor's residual noise in normal operation).
struct TransientLocator {
    let geometry: LineGeometry
    private var model: LineModel
    let stepS: Double
    let nudgeS: Double
    let responseS: Double
    let memoryS = 21_600.0
    /// The fit uses residuals up to this long after the alarm rose, s (the model runs without
    /// nudging during an alarm, so its own drift grows with time).
    let fitAfterAlarmS = 3600.0
    /// Residual history kept for a fit, s.
    let historyS: Double
    private var sums: [Double], counts: [Double], last: [Double]
    private var blockStartS: Double?
    private var started = false
    private var sources: [Double]
    /// Per stretch between neighbouring probes: Σ Δp²·M and Σ M² of the friction fit.
    private var fitNum: [Double], fitDen: [Double]
    private var history: [(timeS: Double, residual: [Double])] = []
    /// Per probe: exponentially forgetting mean square of successive residual differences.
    private var noise: [Double]
    private var episode: Episode?
    /// The line's start is held at a pressure and metered: the model holds it too (its
    /// pressure learned), and the metered inflow becomes one more residual (the last one),
    /// Sm³/h: a leak draws more gas in from the supply, the sooner and the more the nearer it is.
    let held: Bool
    /// Density meters reading at standard conditions (below 2 kg/m³: no line gas is that
    /// light), which with the wave speed give the line pack exactly.
    private let densitySensors: [Int]

    private struct Episode {
        /// Fall of each probe per Sm³/h of leak, for a leak opened at each cell's centre.
        var responses: ResponseTable
        var onsetS: Double?
        var lastFitS = -Double.infinity
        var answer: Double?
    }

    init?(
        geometry: LineGeometry, densitySensors: [Int], compressibility: Double, cellM: Double = 1000,
        stepS: Double = 10,
        nudgeS: Double = 3600, responseS: Double = 1200, historyS: Double = 9000
    ) {
        guard geometry.probes.count >= 2 else { return nil }
        self.geometry = geometry
        model = LineModel(geometry: geometry, cellM: cellM, compressibility: compressibility)
        self.stepS = stepS
        self.nudgeS = nudgeS
        self.responseS = responseS
        self.historyS = historyS
        self.densitySensors = densitySensors
        let sensors = (geometry.probes.map(\.sensor) + geometry.meters.map(\.sensor) + densitySensors).max()! + 1
        sums = Array(repeating: 0, count: sensors)
        counts = sums
        last = Array(repeating: .nan, count: sensors)
        sources = Array(repeating: 0, count: model.cellCount)
        fitNum = Array(repeating: 0, count: geometry.probes.count - 1)
        fitDen = fitNum
        held = geometry.heldStart && !geometry.startMeters.isEmpty
        noise = Array(repeating: 0, count: geometry.probes.count + (held ? 1 : 0))
    }

    /// Ready to locate: the model runs and normal operation has been seen.
    var isReady: Bool { started && history.count * Int(stepS) >= Int(2 * nudgeS / 3) }

    /// Accumulates one tick; closes a block every `stepS`, advancing the model. `quiet`: normal
    /// operation (calibration and nudging on).
    mutating func observe(_ tick: DetectorTick, quiet: Bool) {
        for s in tick.samples where s.valid && s.value.isFinite && s.sensorIndex < sums.count {
            sums[s.sensorIndex] += s.value
            counts[s.sensorIndex] += 1
        }
        let start = blockStartS ?? tick.simTimeS
        blockStartS = start
        // Sample times carry rounding (1.359 + k·1.0 s): a block closes within a millisecond of
        // its nominal length, and the model advances by the time that really passed.
        guard tick.simTimeS - start >= stepS - 1e-3 else { return }
        blockStartS = tick.simTimeS
        for i in sums.indices where counts[i] > 0 { last[i] = sums[i] / counts[i] }
        for i in sums.indices { sums[i] = 0; counts[i] = 0 }
        closeBlock(atS: tick.simTimeS, elapsedS: tick.simTimeS - start, quiet: quiet && episode == nil)
    }

    private mutating func closeBlock(atS t: Double, elapsedS: Double, quiet: Bool) {
        guard geometry.meters.allSatisfy({ last[$0.sensor].isFinite }) else { return }
        for i in sources.indices { sources[i] = 0 }
        var inflow = 0.0
        for m in geometry.meters {
            if held, m.sign > 0, m.chainageM < 1 {
                inflow += last[m.sensor]
            } else {
                sources[model.cell(atChainage: m.chainageM)] += m.sign * last[m.sensor]
            }
        }
        let measured = geometry.probes.map { last[$0.sensor] }
        guard measured.allSatisfy(\.isFinite) else { return }
        if !started {
            let densities = densitySensors.map { last[$0] }.filter { $0.isFinite && $0 > 0 && $0 < 2 }
            if !densities.isEmpty {
                model.useStandardDensity(densities.reduce(0, +) / Double(densities.count), geometry: geometry)
            }
            start(measured, inflow: inflow)
            started = true
            return
        }
        model.step(dtS: elapsedS, sources: sources)
        var residual = geometry.probes.indices.map {
            measured[$0] - model.pressure(atChainage: geometry.probes[$0].chainageM)
        }
        if held { residual.append(inflow - model.inflow) }
        if quiet {
            let keep = 1 - min(1, stepS / memoryS)
            if let previous = history.last?.residual {
                for k in noise.indices {
                    let d = residual[k] - previous[k]
                    noise[k] = noise[k] == 0 ? d * d / 2 : keep * noise[k] + (1 - keep) * d * d / 2
                }
            }
            calibrate(measured, keep: keep)
            nudge(residual, measured: measured)
        }
        history.append((t, residual))
        let excess = history.count - Int(historyS / stepS)
        if excess > 64 { history.removeFirst(excess) }
    }

    /// First block: friction from the metered flows as if steady, pressures interpolated in p².
    private mutating func start(_ measured: [Double], inflow: Double) {
        let flows = LineModel.steadyFlows(sources: sources, inflow: held ? inflow : 0)
        model.flow = flows
        model.inflow = held ? inflow : 0
        for j in fitNum.indices {
            let m = frictionSum(stretch: j, flows: flows)
            let s = measured[j] * measured[j] - measured[j + 1] * measured[j + 1]
            if m > 0, s > 0 { fitNum[j] = s * m; fitDen[j] = m * m }
        }
        applyFriction()
        let probes = geometry.probes
        model.pressure = model.centresM.map { x in
            let j = min(max((probes.lastIndex { $0.chainageM <= x } ?? 0), 0), probes.count - 2)
            let a = probes[j].chainageM, b = probes[j + 1].chainageM
            let f = b > a ? (x - a) / (b - a) : 0
            let s = measured[j] * measured[j] + f * (measured[j + 1] * measured[j + 1] - measured[j] * measured[j])
            return max(s, 1).squareRoot()
        }
        if held { model.startPressure = startPressureEstimate(measured) }
    }

    /// Σ over the faces inside stretch j of frictionLength·Q|Q|, weighted by overlap.
    private func frictionSum(stretch j: Int, flows: [Double]) -> Double {
        let a = geometry.probes[j].chainageM, b = geometry.probes[j + 1].chainageM
        var m = 0.0
        for i in flows.indices {
            // The model's pressure at a probe beyond the outer cell centres is extrapolated along
            // the outer face's gradient: the outer faces reach to the line's ends.
            let x0 = i == 0 ? 0 : model.centresM[i],
                x1 = i == flows.count - 1 ? geometry.lengthM : model.centresM[i + 1]
            let overlap = max(0, min(x1, b) - max(x0, a)) / (model.centresM[i + 1] - model.centresM[i])
            if overlap > 0 { m += overlap * model.frictionLength[i] * flows[i] * abs(flows[i]) }
        }
        return m
    }

    private mutating func calibrate(_ measured: [Double], keep: Double) {
        let flows = model.flow
        for j in fitNum.indices {
            let m = frictionSum(stretch: j, flows: flows)
            let s = measured[j] * measured[j] - measured[j + 1] * measured[j + 1]
            guard m.isFinite, s.isFinite, m != 0 else { continue }
            fitNum[j] = keep * fitNum[j] + s * m
            fitDen[j] = keep * fitDen[j] + m * m
        }
        applyFriction()
    }

    /// Face coefficients from the stretches' multipliers (faces outside every stretch take the
    /// nearest one's; a face across two stretches, the overlap-weighted mean).
    private mutating func applyFriction() {
        let multipliers = zip(fitNum, fitDen).map { $1 > 0 && $0 > 0 ? $0 / $1 : Double.nan }
        let valid = multipliers.filter(\.isFinite)
        guard !valid.isEmpty else { return }
        let fallback = valid.sorted()[valid.count / 2]
        let probes = geometry.probes
        for i in model.faceCoefficient.indices {
            let x0 = model.centresM[i], x1 = model.centresM[i + 1]
            var sum = 0.0, weight = 0.0
            for j in multipliers.indices where multipliers[j].isFinite {
                let w = max(0, min(x1, probes[j + 1].chainageM) - max(x0, probes[j].chainageM))
                sum += w * multipliers[j]
                weight += w
            }
            var m = weight > 0 ? sum / weight : .nan
            if !m.isFinite {
                let mid = (x0 + x1) / 2
                let j = mid < probes[0].chainageM ? 0 : multipliers.count - 1
                m = multipliers[j].isFinite ? multipliers[j] : fallback
            }
            model.faceCoefficient[i] = m * model.frictionLength[i]
        }
        let first = multipliers[0].isFinite ? multipliers[0] : fallback
        model.startCoefficient = first * model.startFrictionLength
    }

    /// Moves the model's pressures a step toward the measured profile (the residuals
    /// interpolated between probes, held beyond the outer ones).
    private mutating func nudge(_ residual: [Double], measured: [Double]) {
        let gain = min(1, stepS / nudgeS)
        let probes = geometry.probes
        for i in model.pressure.indices {
            let x = model.centresM[i]
            let e: Double
            if x <= probes[0].chainageM {
                e = residual[0]
            } else if x >= probes[probes.count - 1].chainageM {
                e = residual[probes.count - 1]
            } else {
                let j = probes.lastIndex { $0.chainageM <= x } ?? 0
                let f = (x - probes[j].chainageM) / (probes[j + 1].chainageM - probes[j].chainageM)
                e = residual[j] + f * (residual[j + 1] - residual[j])
            }
            model.pressure[i] += gain * e
        }
        // The held start's pressure toward the measured profile carried back to chainage 0.
        if held, let ps = model.startPressure {
            model.startPressure = ps + gain * (startPressureEstimate(measured) - ps)
        }
    }

    /// The pressure at chainage 0 from the first stretch's measured p² gradient, Pa.
    private func startPressureEstimate(_ measured: [Double]) -> Double {
        let a = geometry.probes[0].chainageM, b = geometry.probes[1].chainageM
        let p0 = measured[0] * measured[0], p1 = measured[1] * measured[1]
        return max(p0 + (p0 - p1) * a / max(b - a, 1), 1).squareRoot()
    }

    /// Ends an alarm episode: calibration and nudging resume.
    mutating func endEpisode() { episode = nil }
}

extension TransientLocator {
    /// The leak's chainage along the line, or nil when not ready. `alarmSinceS`: when the
    /// alarm rose; the leak opened at most `searchS` before it. `leakFlow` (Sm³/h, from the
    /// balance) sizes the response runs.
    mutating func locate(
        nowS: Double, alarmSinceS: Double, searchS: Double, leakFlow: Double, refreshS: Double = 30
    )
        -> Double?
    {
        guard isReady else { return nil }
        if episode == nil { episode = Episode(responses: responses(leakFlow: max(leakFlow, 1))) }
        guard var e = episode else { return nil }
        let sinceAlarm = nowS - alarmSinceS
        let every = sinceAlarm < 600 ? refreshS : 10 * refreshS
        if nowS - e.lastFitS < every { return e.answer }
        e.lastFitS = nowS
        episode = e
        let preS = 600.0
        let rows = history.filter {
            $0.timeS >= alarmSinceS - searchS - preS && $0.timeS <= min(nowS, alarmSinceS + fitAfterAlarmS)
        }
        guard rows.count > 10 else { return e.answer }
        let onsets: [Double]
        if let t0 = e.onsetS {
            // Refits: the onset is known to within a step or two.
            onsets = [t0 - stepS, t0, min(t0 + stepS, nowS)]
        } else {
            onsets = stride(from: alarmSinceS - searchS, through: alarmSinceS, by: 3 * stepS).map { $0 }
        }
        let drifting = noise.indices.map { $0 < geometry.probes.count }
        let fit = LeakFit(
            rows: rows, weights: noise.map { 1 / max($0, 1) }, stepS: stepS,
            responseSteps: Int(responseS / stepS), drift: true, drifting: drifting)
        let table = e.responses
        // Coarse: every cell centre and onset; then between the neighbouring centres.
        var best = (gain: -1.0, cell: 0, theta: 0.0, onset: onsets[0])
        for c in 0..<table.candidates {
            for t0 in onsets {
                let g = fit.gain(onsetS: t0, table: table, cell: c)
                if g > best.gain { best = (g, c, 0, t0) }
            }
        }
        let c0 = best.cell
        let fine = stride(from: best.onset - 2 * stepS, through: best.onset + 2 * stepS, by: stepS)
        for c in max(c0 - 1, 0)..<min(c0 + 1, table.candidates - 1) {
            for step in 1...9 {
                let theta = Double(step) / 10
                for t0 in fine {
                    let g = fit.gain(onsetS: t0, table: table, cell: c, theta: theta)
                    if g > best.gain { best = (g, c, theta, t0) }
                }
            }
        }
        guard best.gain > 0 else { return e.answer }
        let x0 = model.centresM[best.cell]
        let x = best.cell + 1 < model.cellCount ? x0 + best.theta * (model.centresM[best.cell + 1] - x0) : x0
        e.onsetS = best.onset
        e.answer = x
        episode = e
        return x
    }

    /// Unit responses of every probe to a leak at every cell centre, from the model's present
    /// state and flows, `responseS` long.
    private func responses(leakFlow q: Double) -> ResponseTable {
        let steps = Int(responseS / stepS)
        let probes = geometry.probes.map(\.chainageM)
        let series = probes.count + (held ? 1 : 0)
        var table = ResponseTable(candidates: model.cellCount, probes: series, steps: steps)
        // The run without a leak, then one per candidate; each probe's fall is the difference
        // (for the held start's inflow: its fall, negative, as gas is drawn in).
        var base = [Double](repeating: 0, count: series * (steps + 1))
        func run(leakCell: Int?, _ record: (Int, Int, Double) -> Void) {
            var m = model
            var s = sources
            if let c = leakCell { s[c] -= q }
            for n in 0...steps {
                if n > 0 { m.step(dtS: stepS, sources: s, iterations: 1) }
                for (k, x) in probes.enumerated() { record(k, n, m.pressure(atChainage: x)) }
                if held { record(probes.count, n, m.inflow) }
            }
        }
        run(leakCell: nil) { k, n, p in base[k * (steps + 1) + n] = p }
        for c in 0..<model.cellCount {
            run(leakCell: c) { k, n, p in table[c, k, n] = (base[k * (steps + 1) + n] - p) / q }
        }
        return table
    }
}

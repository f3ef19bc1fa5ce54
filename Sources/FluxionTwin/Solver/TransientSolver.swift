/// The transient state of a network and the step that advances it: method of
/// characteristics on a cell-centred grid (see `MOCKernel`), node boundary
/// conditions on the pipe end faces, leaks on faces.
///
/// Structure of arrays: every pipe's cells live in two contiguous buffers `p`, `q`
/// (pipe k owns `offset[k] ..< offset[k] + reaches[k]`). The `Network` is never
/// modified; the state is this value.
///
/// Time levels: cells and faces always describe the same instant `timeS`. A step
/// moves the cells with the faces of t, then recomputes the faces at t + Δt.
public struct TransientSolver: Sendable {
    public let network: Network
    public let grid: Discretization
    public let steady: SteadyState
    /// Current simulated time, s.
    public internal(set) var timeS: Double = 0
    /// Steps taken.
    public internal(set) var stepCount: Int = 0

    // Per pipe constants.
    let offset: [Int]
    let reaches: [Int]
    /// Characteristic impedance B: liquid a/(gA) (s/m²), gas c/A (1/(m·s)).
    let impedance: [Double]
    /// F = Δt·f/(2·D·A), the friction sink coefficient.
    let frictionCoefficient: [Double]
    /// Gas: c'² (m²/s²); liquid 0.
    let gasC2: [Double]
    /// Gas with the full isothermal Euler momentum equation (`GasMomentum.isothermalEuler`).
    let euler: Bool
    /// Storage of one cell per unit of P: liquid g·A·Δx/a² (m³/m), gas A·Δx/c² (kg/Pa).
    let cellStorage: [Double]
    let fromNode: [Int]
    let toNode: [Int]
    /// Per node: attached pipe ends (pipe index, true when the pipe ends at the node).
    let attachments: [[(pipe: Int, atEnd: Bool)]]
    let gravity: Double

    // State (structure of arrays).
    var p: [Double]
    var q: [Double]
    /// Pipe end faces at `timeS`: P and flow (in pipe direction).
    var startP: [Double], startQ: [Double], endP: [Double], endQ: [Double]
    /// Net external outflow at each node at `timeS` (demands, valves, node leaks;
    /// negative at sources feeding the network), solver flow unit.
    var nodeOutflow: [Double]
    /// Leaks on the network.
    var leaks: [SolverLeak] = []
    /// Key of the next leak (never reused, so a closed leak's key stays unambiguous).
    var nextLeakKey = 1
    /// Scratch space for the node solve (one slot per attached pipe end): characteristic
    /// constant and its impedance.
    var scratch: [Double]
    var scratchB: [Double]
    /// True for reservoirs and pressure sources.
    let isFixedNode: [Bool]
    /// Running totals since t = 0 (solver flow unit × s: liquid m³, gas kg):
    /// inflow from reservoirs and sources into the pipes, outflow to demands and
    /// valves, and outflow through leaks (leaks at sources excluded: they do not
    /// draw on the pipes).
    public internal(set) var cumulativeSourceInflow: Double = 0
    public internal(set) var cumulativeDeliveryOutflow: Double = 0
    public internal(set) var cumulativeLeakOutflow: Double = 0

    /// Builds the grid, solves the steady state and fills the cells with it.
    public init(
        network: Network, timeStepS: Double? = nil, maxReachLengthM: Double? = nil,
        waveSpeedTolerance: Double = 0.05
    ) throws(TwinError) {
        try network.validate()
        let grid = try Discretization(
            network: network, timeStepS: timeStepS,
            maxReachLengthM: maxReachLengthM, waveSpeedTolerance: waveSpeedTolerance)
        let steady = try SteadyState(network: network, grid: grid)
        self.network = network
        self.grid = grid
        self.steady = steady
        let g = network.gravity
        gravity = g
        var nodeIndex = [String: Int]()
        for (i, n) in network.nodes.enumerated() { nodeIndex[n.id] = i }
        fromNode = network.pipes.map { nodeIndex[$0.fromNode]! }
        toNode = network.pipes.map { nodeIndex[$0.toNode]! }
        reaches = grid.reaches
        var off = [Int](), total = 0
        for n in grid.reaches { off.append(total); total += n }
        offset = off
        let dt = grid.timeStepS
        var b = [Double](), fr = [Double](), c2 = [Double](), st = [Double]()
        for (k, pipe) in network.pipes.enumerated() {
            let a = grid.waveSpeedsMS[k], area = pipe.areaM2, dx = a * dt
            b.append(network.fluid.isGas ? a / area : a / (g * area))
            fr.append(dt * steady.frictionFactor[k] / (2 * pipe.diameterM * area))
            c2.append(network.fluid.isGas ? a * a : 0)
            st.append(network.fluid.isGas ? area * dx / (a * a) : g * area * dx / (a * a))
        }
        impedance = b; frictionCoefficient = fr; gasC2 = c2; cellStorage = st
        if case .gas(let g) = network.fluid, g.momentum == .isothermalEuler { euler = true } else { euler = false }
        var att = [[(pipe: Int, atEnd: Bool)]](repeating: [], count: network.nodes.count)
        for k in network.pipes.indices {
            att[fromNode[k]].append((k, false))
            att[toNode[k]].append((k, true))
        }
        attachments = att
        isFixedNode = network.nodes.map(\.isFixedPotential)
        p = [Double](repeating: 0, count: total)
        q = [Double](repeating: 0, count: total)
        let np = network.pipes.count
        startP = .init(repeating: 0, count: np); startQ = startP; endP = startP; endQ = startP
        nodeOutflow = .init(repeating: 0, count: network.nodes.count)
        scratch = .init(repeating: 0, count: att.map(\.count).max() ?? 0)
        scratchB = scratch
        fillSteadyProfile()
        computeFaces()
    }

    /// Fills the cells with the steady profile: liquid H linear in x, gas p² linear in x
    /// (isothermal Euler: the steady momentum balance with its kinetic term, `SteadyState.eulerPressure`).
    mutating func fillSteadyProfile() {
        let gas = network.fluid.isGas
        for k in network.pipes.indices {
            let p0 = steady.nodePotential[fromNode[k]], p1 = steady.nodePotential[toNode[k]]
            let pipe = network.pipes[k], m = steady.pipeFlow[k]
            for i in 0..<reaches[k] {
                let s = (Double(i) + 0.5) / Double(reaches[k])
                if euler {
                    p[offset[k] + i] = SteadyState.eulerPressure(
                        inletPa: p0, outletPa: p1, massFlow: m, c2: gasC2[k], areaM2: pipe.areaM2,
                        frictionPerLength: steady.frictionFactor[k] / pipe.diameterM,
                        distanceM: s * pipe.lengthM)
                } else {
                    p[offset[k] + i] = gas ? (p0 * p0 + s * (p1 * p1 - p0 * p0)).squareRoot() : p0 + s * (p1 - p0)
                }
                q[offset[k] + i] = m
            }
            // The end faces at the steady state too: the Euler characteristics interpolate their
            // feet towards them before the first `computeFaces`.
            startP[k] = p0; endP[k] = p1; startQ[k] = m; endQ[k] = m
        }
    }

    /// Puts every cell back on the initial steady state and removes every leak; time and the
    /// cumulative totals carry on. The recovery when the state has become non-finite.
    public mutating func restartFromSteadyState() {
        leaks.removeAll()
        fillSteadyProfile()
        computeFaces()
    }

    /// Time step, s.
    public var timeStepS: Double { grid.timeStepS }

    /// Advances the state by one time step.
    public mutating func step() {
        let dt = grid.timeStepS
        var leakOut = 0.0, leakAtFree = 0.0
        for leak in leaks {
            let node = leak.face == 0 ? fromNode[leak.pipe] : (leak.face == reaches[leak.pipe] ? toNode[leak.pipe] : -1)
            if node >= 0 && isFixedNode[node] { continue }
            leakOut += leak.outflow
            if node >= 0 { leakAtFree += leak.outflow }
        }
        var sourceIn = 0.0, freeOut = 0.0
        for j in nodeOutflow.indices {
            if isFixedNode[j] { sourceIn -= nodeOutflow[j] } else { freeOut += nodeOutflow[j] }
        }
        cumulativeSourceInflow += dt * sourceIn
        cumulativeDeliveryOutflow += dt * (freeOut - leakAtFree)
        cumulativeLeakOutflow += dt * leakOut
        let gas = network.fluid.isGas
        // Move the buffers out (O(1), keeps them uniquely referenced) so the kernel
        // can write them while reading the faces from self.
        var pCells = p, qCells = q
        p = []
        q = []
        pCells.withUnsafeMutableBufferPointer { pb in
            qCells.withUnsafeMutableBufferPointer { qb in
                let pp = pb.baseAddress!, qp = qb.baseAddress!
                for k in 0..<offset.count {
                    advancePipe(k, p: pp + offset[k], q: qp + offset[k], gas: gas)
                }
            }
        }
        p = pCells
        q = qCells
        stepCount += 1
        timeS = Double(stepCount) * dt
        if !leaks.isEmpty { dropClosedLeaks() }
        computeFaces()
    }

    /// Advances pipe k, splitting it at interior leak faces so the kernel has no branches.
    @inline(__always)
    private func advancePipe(
        _ k: Int, p pp: UnsafeMutablePointer<Double>, q qp: UnsafeMutablePointer<Double>, gas: Bool
    ) {
        var first = 0
        var leftP = startP[k], leftQ = startQ[k]
        let b = impedance[k], f = frictionCoefficient[k], c2 = gasC2[k]
        let euler = euler
        func run(_ from: Int, _ to: Int, _ rp: Double, _ rq: Double, _ lp: Double, _ lq: Double) {
            if euler {
                MOCKernel.advanceGasEuler(
                    p: pp + from, q: qp + from, count: to - from, leftP: lp, leftQ: lq,
                    rightP: rp, rightQ: rq, b: b, friction: f, c2: c2)
            } else if gas {
                MOCKernel.advanceGas(
                    p: pp + from, q: qp + from, count: to - from, leftP: lp, leftQ: lq,
                    rightP: rp, rightQ: rq, b: b, friction: f, c2: c2)
            } else {
                MOCKernel.advanceLiquid(
                    p: pp + from, q: qp + from, count: to - from, leftP: lp, leftQ: lq,
                    rightP: rp, rightQ: rq, b: b, friction: f)
            }
        }
        if !leaks.isEmpty {
            for leak in leaks.sorted(by: { $0.face < $1.face })
            where leak.pipe == k && leak.face > 0 && leak.face < reaches[k] {
                if leak.face > first {
                    run(first, leak.face, leak.faceP, leak.leftQ, leftP, leftQ)
                    first = leak.face
                }
                leftP = leak.faceP
                leftQ = leak.rightQ
            }
        }
        run(first, reaches[k], endP[k], endQ[k], leftP, leftQ)
    }
}

/// A transient model of one gas line for leak localization: isothermal gas in cells of equal
/// length, driven by the metered flows (pure: no I/O, no clock).
///
/// Per cell i (volume Vᵢ, pressure pᵢ in Pa absolute) and face i+½ between cells, with
/// standard flows Q in Sm³/h (mass flow ṁ = Q·ρ_std/3600):
///
///     Cᵢ · dpᵢ/dt = (Q_{i−½} − Q_{i+½} + Sᵢ) / 3600              Cᵢ = Vᵢ / (a²·ρ_std)  [Sm³/Pa]
///     I · dQ/dt = (pᵢ − pᵢ₊₁) − c·Q·|Q| / (pᵢ + pᵢ₊₁)            I = Δx·ρ_std / (3600·A)
///
/// Sᵢ: the metered flows joining the line in the cell (+ in, − out) and any leak. The second
/// line is the isothermal momentum balance (inertia, pressure force, Darcy–Weisbach friction
/// written so that in steady flow pᵢ² − pᵢ₊₁² = c·Q|Q|, the general gas-flow equation; c
/// holds λ·a²·ρ_std²/D⁵ and is calibrated from the readings by `TransientLocator`). Inertia
/// matters: without it a leak's deficit spreads a little too fast in the first ten minutes,
/// which placed leaks 0.6–0.9 km downstream of where the twin had them at 5 min (the fit
/// starts then). The line's start is either closed (its inflow a metered source like every
/// other flow in or out) or held at `startPressure` through a half-cell face (a regulated
/// supply; `inflow` is then the model's). With every end closed, the level of pressure is held
/// only by nudging the model toward the measurements (`TransientLocator`).
///
/// Time steps are backward Euler: each face's momentum equation is solved for Q given the
/// two pressures (a quadratic), and Newton's method on the pressures is tridiagonal. Stable
/// for any step, and mass is conserved exactly at every iteration.
public struct LineModel: Sendable {
    public let cellM: Double
    public let centresM: [Double]
    /// Cᵢ, Sm³/Pa.
    public private(set) var capacity: [Double]
    /// ∫ dx / D⁵ between neighbouring centres (m⁻⁴): the shape of the friction along the line.
    public let frictionLength: [Double]
    /// c_{i+½} = multiplier · frictionLength, Pa² per (Sm³/h)².
    public var faceCoefficient: [Double]
    /// Cell pressures, Pa.
    public var pressure: [Double]
    /// Face flows, Sm³/h.
    public var flow: [Double]
    /// Δx / A per face, m⁻¹ (times ρ_std/3600: the inertia I).
    let lengthOverArea: [Double]
    /// Workspace of `step`.
    private var scratch: [Double] = []
    /// A line whose start is held at a pressure (a regulated supply): that pressure, Pa, and
    /// the face from the line's start to the first cell centre (half a cell); nil: the start
    /// is closed and its inflow is a metered source like any other.
    public var startPressure: Double?
    /// ∫ dx / D⁵ from the start to the first centre, and its coefficient (see `faceCoefficient`).
    public let startFrictionLength: Double
    public var startCoefficient: Double
    /// Flow in at the held start, Sm³/h.
    public var inflow = 0.0
    private let startLengthOverArea: Double
    /// Gas density at standard conditions, kg/m³.
    public private(set) var standardDensity: Double

    /// `compressibility` sets the line pack until the standard density is known
    /// (`useStandardDensity`): Cᵢ = Vᵢ / (p_std·Z), ρ_std ≈ p_std / a².
    public init(geometry: LineGeometry, cellM: Double, compressibility: Double) {
        let n = max(2, Int((geometry.lengthM / cellM).rounded()))
        let dx = geometry.lengthM / Double(n)
        self.cellM = dx
        centresM = (0..<n).map { (Double($0) + 0.5) * dx }
        capacity = (0..<n).map {
            geometry.volume(from: Double($0) * dx, to: Double($0 + 1) * dx) / (101_325 * compressibility)
        }
        frictionLength = (0..<(n - 1)).map {
            geometry.frictionLength(from: (Double($0) + 0.5) * dx, to: (Double($0) + 1.5) * dx)
        }
        lengthOverArea = (0..<(n - 1)).map {
            let d = geometry.diameter(atChainage: (Double($0) + 1) * dx)
            return dx / (Double.pi * d * d / 4)
        }
        faceCoefficient = frictionLength
        startFrictionLength = geometry.frictionLength(from: 0, to: dx / 2)
        startCoefficient = startFrictionLength
        let d0 = geometry.diameter(atChainage: 0)
        startLengthOverArea = dx / 2 / (Double.pi * d0 * d0 / 4)
        pressure = Array(repeating: 101_325, count: n)
        flow = Array(repeating: 0, count: n - 1)
        let a = geometry.pipes.first?.waveSpeedMPerS ?? 350
        standardDensity = 101_325 / (a * a)
    }

    public var cellCount: Int { centresM.count }

    /// Line pack from the wave speed and the gas's density at standard conditions (kg/m³):
    /// Cᵢ = Σ V/(a²·ρ_std), which holds Z and T without knowing either (a² = Z·R·T).
    public mutating func useStandardDensity(_ rho: Double, geometry: LineGeometry) {
        standardDensity = rho
        capacity = capacity.indices.map {
            geometry.massCapacity(from: Double($0) * cellM, to: Double($0 + 1) * cellM) / rho
        }
    }

    /// The cell holding a chainage (clamped to the line).
    public func cell(atChainage x: Double) -> Int { min(max(Int(x / cellM), 0), cellCount - 1) }

    /// One face's backward-Euler momentum balance solved exactly for the flow Q at the end of
    /// the step: α·Q + β·Q·|Q| = r, with α = I/Δt (inertia), β = c/(pₐ + p_b) (friction) and
    /// r = pₐ − p_b + α·Q_previous. Returns Q and dQ/dpₐ (= −dQ/dp_b but for the friction's
    /// weak dependence on pₐ + p_b, left out of Newton's Jacobian: it changes the path, not the
    /// answer).
    @inlinable
    static func momentum(
        alpha: Double, coefficient c: Double, pa: Double, pb: Double, previous: Double
    ) -> (
        q: Double, dq: Double
    ) {
        let beta = c / (pa + pb)
        let r = pa - pb + alpha * previous
        // The root of α·Q + β·Q² = |r| written so that it stays exact as β → 0.
        let q = (r < 0 ? -1 : 1) * 2 * abs(r) / (alpha + (alpha * alpha + 4 * beta * abs(r)).squareRoot())
        return (q, 1 / (alpha + 2 * beta * abs(q)))
    }

    /// Steady flows for the sources (each face carries what enters upstream of it, `inflow`
    /// at a held start included), Sm³/h.
    public static func steadyFlows(sources: [Double], inflow: Double = 0) -> [Double] {
        var q = inflow
        return sources.dropLast().map {
            q += $0
            return q
        }
    }

    /// Pressure at a chainage, linear between cell centres (extrapolated beyond the outer ones).
    public func pressure(atChainage x: Double) -> Double {
        let s = x / cellM - 0.5
        let i = min(max(Int(s.rounded(.down)), 0), cellCount - 2)
        let f = s - Double(i)
        return pressure[i] + f * (pressure[i + 1] - pressure[i])
    }

    /// Advances `dtS` with source terms per cell (Sm³/h: + into the line, − out of it).
    public mutating func step(dtS: Double, sources: [Double], iterations: Int = 3) {
        let n = cellCount
        if scratch.count != 5 * n { scratch = [Double](repeating: 0, count: 5 * n) }
        var p = pressure, w = scratch, flows = flow
        let old = pressure, capacity = capacity, coefficient = faceCoefficient
        let rho = standardDensity
        let inertia = lengthOverArea.map { $0 * rho / 3600 / dtS }
        let held = startPressure
        let startInertia = startLengthOverArea * rho / 3600 / dtS, startCoefficient = startCoefficient
        var inflow = self.inflow
        // The held start's face (from the start pressure to cell 0) and the faces between cells.
        @inline(__always) func solveStart(_ p0: Double, _ previous: Double) -> (q: Double, dq: Double) {
            guard let ps = held else { return (0, 0) }
            return Self.momentum(alpha: startInertia, coefficient: startCoefficient, pa: ps, pb: p0, previous: previous)
        }
        @inline(__always) func solve(
            _ i: Int, _ pa: Double, _ pb: Double, _ previous: Double
        ) -> (q: Double, dq: Double) {
            Self.momentum(alpha: inertia[i], coefficient: coefficient[i], pa: pa, pb: pb, previous: previous)
        }
        p.withUnsafeMutableBufferPointer { p in
            w.withUnsafeMutableBufferPointer { w in
                // Workspace: flows and their derivatives per face, then the tridiagonal system.
                let q = w.baseAddress!, dq = q + n, diag = q + 2 * n, upper = q + 3 * n, rhs = q + 4 * n
                for _ in 0..<iterations {
                    for i in 0..<(n - 1) { (q[i], dq[i]) = solve(i, p[i], p[i + 1], flows[i]) }
                    let (qStart, dqStart) = solveStart(p[0], inflow)
                    for i in 0..<n {
                        // F_i = C_i (p_i − old_i)/Δt − (Q_{i−½} − Q_{i+½} + S_i)/3600.
                        let qIn = i > 0 ? q[i - 1] : qStart
                        let qOut = i < n - 1 ? q[i] : 0
                        rhs[i] = -(capacity[i] * (p[i] - old[i]) / dtS - (qIn - qOut + sources[i]) / 3600)
                        diag[i] =
                            capacity[i] / dtS + (i > 0 ? dq[i - 1] : dqStart) / 3600 + (i < n - 1 ? dq[i] / 3600 : 0)
                        upper[i] = i < n - 1 ? -dq[i] / 3600 : 0
                    }
                    // Thomas algorithm for J·δ = rhs (the matrix is symmetric: lower = upper).
                    for i in 1..<n {
                        let m = upper[i - 1] / diag[i - 1]
                        diag[i] -= m * upper[i - 1]
                        rhs[i] -= m * rhs[i - 1]
                    }
                    rhs[n - 1] /= diag[n - 1]
                    for i in stride(from: n - 2, through: 0, by: -1) {
                        rhs[i] = (rhs[i] - upper[i] * rhs[i + 1]) / diag[i]
                    }
                    for i in 0..<n { p[i] += rhs[i] }
                }
                for i in 0..<(n - 1) { flows[i] = solve(i, p[i], p[i + 1], flows[i]).q }
                inflow = solveStart(p[0], inflow).q
            }
        }
        pressure = p
        scratch = w
        flow = flows
        self.inflow = inflow
    }
}

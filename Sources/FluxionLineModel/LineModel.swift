/// A transient model of one gas line for leak localization: isothermal gas in cells of equal
/// length, driven by the metered flows (pure: no I/O, no clock).
///
/// Per cell i (volume Vᵢ, pressure pᵢ in Pa absolute), with standard flows in Sm³/h:
///
///     Cᵢ · dpᵢ/dt = (Q_{i−½} − Q_{i+½} + Sᵢ) / 3600,     Cᵢ = Vᵢ / (p_std · Z)  [Sm³/Pa]
///     p_i² − p_{i+1}² = c_{i+½} · Q_{i+½} · |Q_{i+½}|                          (each face)
///
/// Sᵢ: the metered flows joining the line in the cell (+ in, − out) and any leak. The momentum
/// law is the quasi-steady one (friction balances the pressure gradient): inertia matters for
/// well under a minute in a gas line (friction damps it at f·|v|/D ≈ 0.06 s⁻¹), while line
/// pack spreads a leak's deficit over tens of minutes, which is what localization reads. The
/// face coefficients c are calibrated from the readings (`TransientLocator`); the line ends
/// are closed (every flow in or out is a metered source term), so the model's level of
/// pressure is held by nudging it toward the measurements.
///
/// Time steps are backward Euler with Newton iterations on the tridiagonal system: stable for
/// any step, so a step of 10 s (one flow-meter sample) costs one pass over the cells.
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
    /// Below this flow (Sm³/h) the face law turns linear, so that a face with no flow keeps a
    /// finite derivative.
    public let regularFlow = 1.0

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
        faceCoefficient = frictionLength
        pressure = Array(repeating: 101_325, count: n)
    }

    public var cellCount: Int { centresM.count }

    /// Line pack from the wave speed and the gas's density at standard conditions (kg/m³):
    /// Cᵢ = Σ V/(a²·ρ_std), which holds Z and T without knowing either (a² = Z·R·T).
    public mutating func useStandardDensity(_ rho: Double, geometry: LineGeometry) {
        capacity = capacity.indices.map {
            geometry.massCapacity(from: Double($0) * cellM, to: Double($0 + 1) * cellM) / rho
        }
    }

    /// The cell holding a chainage (clamped to the line).
    public func cell(atChainage x: Double) -> Int { min(max(Int(x / cellM), 0), cellCount - 1) }

    /// Standard flow through face i (between cells i and i+1), Sm³/h, and its derivatives with
    /// respect to the two pressures.
    @inlinable
    public func face(_ i: Int, _ p: [Double]) -> (q: Double, dA: Double, dB: Double) {
        let c = faceCoefficient[i]
        let delta = p[i] * p[i] - p[i + 1] * p[i + 1]
        let u = abs(delta) / c
        let r = regularFlow * regularFlow
        // Q = Δ / (c·√(|Δ|/c + r)): √(|Δ|/c) for flows well above `regularFlow`, linear near 0.
        let root = (u + r).squareRoot()
        let q = delta / (c * root)
        let dq = (u + 2 * r) / (2 * c * root * (u + r))
        return (q, dq * 2 * p[i], -dq * 2 * p[i + 1])
    }

    /// Face flows, Sm³/h.
    public func flows() -> [Double] { (0..<(cellCount - 1)).map { face($0, pressure).q } }

    /// Pressure at a chainage, linear between cell centres (extrapolated beyond the outer ones).
    public func pressure(atChainage x: Double) -> Double {
        let s = x / cellM - 0.5
        let i = min(max(Int(s.rounded(.down)), 0), cellCount - 2)
        let f = s - Double(i)
        return pressure[i] + f * (pressure[i + 1] - pressure[i])
    }

    /// Advances `dtS` with source terms per cell (Sm³/h: + into the line, − out of it).
    public mutating func step(dtS: Double, sources: [Double], iterations: Int = 2) {
        let n = cellCount
        let old = pressure
        var p = pressure
        var lower = [Double](repeating: 0, count: n), diag = lower, upper = lower, rhs = lower
        var faces = [(q: Double, dA: Double, dB: Double)](repeating: (0, 0, 0), count: n - 1)
        for _ in 0..<iterations {
            for i in 0..<(n - 1) { faces[i] = face(i, p) }
            for i in 0..<n {
                // F_i = C_i (p_i − old_i)/Δt − (Q_{i−½} − Q_{i+½} + S_i)/3600.
                let qIn = i > 0 ? faces[i - 1].q : 0
                let qOut = i < n - 1 ? faces[i].q : 0
                rhs[i] = -(capacity[i] * (p[i] - old[i]) / dtS - (qIn - qOut + sources[i]) / 3600)
                var d = capacity[i] / dtS
                if i > 0 {
                    d -= faces[i - 1].dB / 3600
                    lower[i] = -faces[i - 1].dA / 3600
                }
                if i < n - 1 {
                    d += faces[i].dA / 3600
                    upper[i] = faces[i].dB / 3600
                }
                diag[i] = d
            }
            // Thomas algorithm for J·δ = rhs.
            for i in 1..<n {
                let m = lower[i] / diag[i - 1]
                diag[i] -= m * upper[i - 1]
                rhs[i] -= m * rhs[i - 1]
            }
            rhs[n - 1] /= diag[n - 1]
            for i in stride(from: n - 2, through: 0, by: -1) { rhs[i] = (rhs[i] - upper[i] * rhs[i + 1]) / diag[i] }
            for i in 0..<n { p[i] += rhs[i] }
        }
        pressure = p
    }
}

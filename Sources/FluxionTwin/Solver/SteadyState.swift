import Foundation

/// Steady flow of the network at t = 0, found by Newton's method on pipe flows and
/// node potentials (a dense global-gradient system; scenario networks are small).
///
/// Pipe laws, with f the Darcy factor and A the area:
/// - liquid: H_from − H_to = f·L/(2g·D·A²)·Q|Q|                (Darcy–Weisbach)
/// - gas:    p_from² − p_to² = f·c²·L/(D·A²)·ṁ|ṁ|              (isothermal general flow equation)
///   and with `GasMomentum.isothermalEuler` the kinetic term of d(p + ρv²)/dx added:
///           p_from² − p_to² = f·c²·L/(D·A²)·ṁ|ṁ| + 2·c²·ṁ²/A²·ln(p_from/p_to)
/// Node law: Σ inflow − Σ outflow − demand − orifice(H) = 0.
public struct SteadyState: Sendable, Equatable {
    /// Potential per node: liquid head m, gas absolute pressure Pa.
    public let nodePotential: [Double]
    /// Flow per pipe, from → to: liquid m³/s, gas kg/s.
    public let pipeFlow: [Double]
    /// Darcy friction factor per pipe at this flow.
    public let frictionFactor: [Double]

    /// Solves the steady state with the (adjusted) wave speeds of `grid`.
    public init(network: Network, grid: Discretization) throws(TwinError) {
        let fluid = network.fluid
        let np = network.pipes.count, nn = network.nodes.count
        let g = network.gravity
        var nodeIndex = [String: Int]()
        for (i, n) in network.nodes.enumerated() { nodeIndex[n.id] = i }
        let from = network.pipes.map { nodeIndex[$0.fromNode]! }
        let to = network.pipes.map { nodeIndex[$0.toNode]! }
        // Unknown potential u: liquid H, gas p². Fixed nodes hold their value.
        var fixed = [Double?](repeating: nil, count: nn)
        for (i, n) in network.nodes.enumerated() {
            if let p = Boundaries.fixedPotential(n, fluid: fluid, atTimeS: 0) {
                fixed[i] = fluid.isGas ? p * p : p
            }
        }
        var freeIndex = [Int](repeating: -1, count: nn)
        var nf = 0
        for i in 0..<nn where fixed[i] == nil {
            freeIndex[i] = nf
            nf += 1
        }
        let fixedValues = fixed.compactMap { $0 }
        let uGuess = fixedValues.reduce(0, +) / Double(max(fixedValues.count, 1))
        var u = [Double](repeating: uGuess, count: nn)
        for i in 0..<nn { if let f = fixed[i] { u[i] = f } }
        let pGuess = fluid.isGas ? uGuess.squareRoot() : 1
        let c2 = grid.waveSpeedsMS.map { $0 * $0 }
        var euler = false
        if case .gas(let gas) = fluid, gas.momentum == .isothermalEuler { euler = true }
        var q = network.pipes.map { p -> Double in
            switch fluid {
            case .liquid: return p.areaM2 * 0.5
            case .gas: return p.areaM2 * pGuess / (p.waveSpeedMS(fluid: fluid) * p.waveSpeedMS(fluid: fluid)) * 5
            }
        }
        let qScale = q.map(abs).max() ?? 1
        var f = [Double](repeating: 0.02, count: np)
        let n = np + nf
        var residual = Double.infinity
        for iteration in 0..<200 {
            for k in 0..<np { f[k] = FrictionFactor.factor(for: network.pipes[k], fluid: fluid, flow: q[k]) }
            var jac = [Double](repeating: 0, count: n * n)
            var rhs = [Double](repeating: 0, count: n)
            for k in 0..<np {
                let p = network.pipes[k]
                let a2 = p.areaM2 * p.areaM2
                let r =
                    fluid.isGas
                    ? f[k] * c2[k] * p.lengthM / (p.diameterM * a2)
                    : f[k] * p.lengthM / (2 * g * p.diameterM * a2)
                // Kinetic term (isothermal Euler): e·ṁ²·ln(u_from/u_to), e = c²/A², u = p².
                let e = euler ? c2[k] / a2 : 0
                let uf = u[from[k]], ut = u[to[k]], logRatio = euler ? log(uf / ut) : 0
                rhs[k] = -(r * q[k] * abs(q[k]) + e * q[k] * q[k] * logRatio - (uf - ut))
                jac[k * n + k] = max(2 * r * abs(q[k]) + 2 * e * q[k] * logRatio, 2 * r * 1e-9 * qScale)
                if freeIndex[from[k]] >= 0 { jac[k * n + np + freeIndex[from[k]]] = -1 + e * q[k] * q[k] / uf }
                if freeIndex[to[k]] >= 0 { jac[k * n + np + freeIndex[to[k]]] = 1 - e * q[k] * q[k] / ut }
            }
            for j in 0..<nn where freeIndex[j] >= 0 {
                let row = np + freeIndex[j]
                var balance = 0.0
                for k in 0..<np {
                    if to[k] == j { balance += q[k]; jac[row * n + k] = 1 }
                    if from[k] == j { balance -= q[k]; jac[row * n + k] = -1 }
                }
                let node = network.nodes[j]
                let potential = fluid.isGas ? u[j].squareRoot() : u[j]
                let out = Boundaries.steadyOutflow(node, fluid: fluid, potential: potential, gravity: g)
                let h = max(1e-7 * abs(u[j]), 1e-9)
                let pot2 = fluid.isGas ? (u[j] + h).squareRoot() : u[j] + h
                let dOut = (Boundaries.steadyOutflow(node, fluid: fluid, potential: pot2, gravity: g) - out) / h
                rhs[row] = -(balance - out)
                jac[row * n + row] = -dOut
            }
            residual = rhs.map(abs).max() ?? 0
            guard let dx = Self.solveDense(&jac, &rhs, n) else {
                throw .steadyStateDidNotConverge(iterations: iteration, residual: residual)
            }
            var change = 0.0
            for k in 0..<np {
                q[k] += dx[k]
                change = max(change, abs(dx[k]) / qScale)
            }
            for j in 0..<nn where freeIndex[j] >= 0 {
                u[j] += dx[np + freeIndex[j]]
                if fluid.isGas { u[j] = max(u[j], 1) }
                change = max(change, abs(dx[np + freeIndex[j]]) / max(abs(u[j]), 1))
            }
            if change < 1e-13 && iteration > 1 {
                pipeFlow = q
                frictionFactor = network.pipes.indices.map {
                    FrictionFactor.factor(for: network.pipes[$0], fluid: fluid, flow: q[$0])
                }
                nodePotential = fluid.isGas ? u.map { $0.squareRoot() } : u
                return
            }
        }
        throw .steadyStateDidNotConverge(iterations: 200, residual: residual)
    }

    /// Steady isothermal Euler pressure at `distanceM` from a pipe's inlet: the root on the
    /// subsonic branch (p > c·|G|) of p₀² − p² − 2·c²·G²·ln(p₀/p) = (f/D)·c²·G|G|·x, G = ṁ/A,
    /// by Newton's method from the general-flow-equation value, to 1e-14 relative.
    /// - Parameters: inletPa p₀; outletPa, the pipe's other end (the fallback if Newton
    ///   fails); massFlow ṁ kg/s; c2 c² m²/s²; areaM2 A; frictionPerLength f/D 1/m.
    static func eulerPressure(
        inletPa p0: Double, outletPa p1: Double, massFlow m: Double, c2: Double, areaM2: Double,
        frictionPerLength fOverD: Double, distanceM x: Double
    ) -> Double {
        let g = m / areaM2
        let rhs = fOverD * c2 * g * abs(g) * x, kin = 2 * c2 * g * g
        let floor = (kin / 2).squareRoot()  // p = c·|G|: Mach 1
        var p = max((p0 * p0 - rhs).squareRoot(), 1.01 * floor)
        if !p.isFinite { p = max(p1, 1.01 * floor) }
        for _ in 0..<100 {
            let value = p0 * p0 - p * p - kin * log(p0 / p) - rhs
            let slope = -2 * p + kin / p
            var next = p - value / slope
            if !(next > floor) { next = 0.5 * (p + floor) }
            if abs(next - p) <= 1e-14 * p { return next }
            p = next
        }
        return p
    }

    /// Gaussian elimination with partial pivoting; nil when singular.
    static func solveDense(_ a: inout [Double], _ b: inout [Double], _ n: Int) -> [Double]? {
        for col in 0..<n {
            var pivot = col
            for r in (col + 1)..<max(n, col + 1) where abs(a[r * n + col]) > abs(a[pivot * n + col]) { pivot = r }
            guard abs(a[pivot * n + col]) > 1e-300 else { return nil }
            if pivot != col {
                for c in 0..<n { a.swapAt(col * n + c, pivot * n + c) }
                b.swapAt(col, pivot)
            }
            let d = a[col * n + col]
            for r in (col + 1)..<max(n, col + 1) {
                let m = a[r * n + col] / d
                if m == 0 { continue }
                for c in col..<n { a[r * n + c] -= m * a[col * n + c] }
                b[r] -= m * b[col]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for r in stride(from: n - 1, through: 0, by: -1) {
            var s = b[r]
            for c in (r + 1)..<max(n, r + 1) { s -= a[r * n + c] * x[c] }
            x[r] = s / a[r * n + r]
        }
        return x
    }
}

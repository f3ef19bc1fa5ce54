import Foundation

/// Darcy friction factor correlations (pure functions).
public enum FrictionFactor {
    /// Swamee–Jain explicit approximation of Colebrook, valid 5e3 ≤ Re ≤ 1e8,
    /// 1e-6 ≤ ε/D ≤ 1e-2. Below Re = 2000 returns the laminar 64/Re.
    /// - Parameters: roughnessM ε (m), diameterM D (m), reynolds Re (–).
    public static func swameeJain(roughnessM: Double, diameterM: Double, reynolds: Double) -> Double {
        if reynolds < 2000 { return 64 / max(reynolds, 1) }
        let x = log10(roughnessM / (3.7 * diameterM) + 5.74 / pow(reynolds, 0.9))
        return 0.25 / (x * x)
    }

    /// Colebrook–White, solved by fixed-point iteration on 1/√f to 1e-12.
    /// Below Re = 2000 returns the laminar 64/Re.
    public static func colebrook(roughnessM: Double, diameterM: Double, reynolds: Double) -> Double {
        if reynolds < 2000 { return 64 / max(reynolds, 1) }
        var y = 1 / swameeJain(roughnessM: roughnessM, diameterM: diameterM, reynolds: reynolds).squareRoot()
        for _ in 0..<50 {
            let next = -2 * log10(roughnessM / (3.7 * diameterM) + 2.51 * y / reynolds)
            if abs(next - y) < 1e-12 * abs(y) { y = next; break }
            y = next
        }
        return 1 / (y * y)
    }

    /// Darcy factor for a pipe at a given flow.
    /// - Parameters: flow in the solver unit (liquid m³/s, gas kg/s).
    static func factor(for pipe: Pipe, fluid: Fluid, flow: Double) -> Double {
        switch pipe.friction {
        case .darcy(let f):
            return f
        case let .roughness(eps, formula):
            let area = pipe.areaM2
            let re: Double
            switch fluid {
            case .liquid(let l): re = abs(flow) / area * pipe.diameterM / l.kinematicViscosityM2S
            case .gas(let g): re = abs(flow) / area * pipe.diameterM / g.dynamicViscosityPaS
            }
            // Zero or tiny flow: use the fully turbulent value so friction stays defined.
            let reEff = max(re, 4000)
            switch formula {
            case .colebrook: return colebrook(roughnessM: eps, diameterM: pipe.diameterM, reynolds: reEff)
            case .swameeJain: return swameeJain(roughnessM: eps, diameterM: pipe.diameterM, reynolds: reEff)
            }
        }
    }
}

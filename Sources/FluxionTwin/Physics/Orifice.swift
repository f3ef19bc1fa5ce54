import Foundation

/// Orifice laws for leaks and valves (pure functions).
public enum Orifice {
    /// Liquid orifice Q = Cd·A·√(2g·h), m³/s, for h = pressure head above the
    /// outlet (m, zero flow when h ≤ 0).
    public static func liquidFlow(dischargeAreaM2 cdA: Double, headM h: Double, gravityMS2 g: Double) -> Double {
        h > 0 ? cdA * (2 * g * h).squareRoot() : 0
    }

    /// Compressible orifice mass flow, kg/s, from absolute upstream pressure p (Pa)
    /// to ambient pressure pa (Pa): choked when pa/p ≤ (2/(γ+1))^(γ/(γ−1)),
    /// subsonic (isentropic nozzle) otherwise; zero when p ≤ pa.
    public static func gasMassFlow(dischargeAreaM2 cdA: Double, pressurePa p: Double, gas: Gas) -> Double {
        let pa = gas.ambientPressurePa
        guard p > pa, cdA > 0 else { return 0 }
        let gamma = gas.heatCapacityRatio
        let zrt = gas.compressibility * gas.specificGasConstantJKgK * gas.referenceTemperatureK
        let r = pa / p
        if r <= criticalPressureRatio(gamma: gamma) {
            return cdA * p * (gamma / zrt * pow(2 / (gamma + 1), (gamma + 1) / (gamma - 1))).squareRoot()
        }
        let term = pow(r, 2 / gamma) - pow(r, (gamma + 1) / gamma)
        return cdA * p * (2 * gamma / ((gamma - 1) * zrt) * max(term, 0)).squareRoot()
    }

    /// Critical pressure ratio (2/(γ+1))^(γ/(γ−1)) below which the flow is choked.
    public static func criticalPressureRatio(gamma: Double) -> Double {
        pow(2 / (gamma + 1), gamma / (gamma - 1))
    }
}

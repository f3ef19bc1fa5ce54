/// A leak as the solver sees it: an orifice on face `face` of pipe `pipe`
/// (0 and `reaches` are the pipe's end nodes), opening linearly over `rampS`
/// from `startS` and closing at `clearedS`.
struct SolverLeak: Sendable {
    var key: Int
    var pipe: Int
    var face: Int
    /// Fully open effective area Cd·A, m².
    var dischargeAreaM2: Double
    var startS: Double
    var rampS: Double
    var clearedS: Double?
    /// Liquid: elevation of the outlet, m (atmospheric outlet).
    var outletHeadM: Double
    /// Current outflow, solver unit (m³/s or kg/s), and face values (interior faces).
    var outflow: Double = 0
    var faceP: Double = 0
    var leftQ: Double = 0
    var rightQ: Double = 0

    /// Effective area at time t, m²: open on the time levels after `startS` up to and
    /// including `clearedS` (`EventTiming`).
    func area(atTimeS t: Double) -> Double {
        if !EventTiming.acts(eventS: startS, atTimeS: t) { return 0 }
        if let c = clearedS, EventTiming.acts(eventS: c, atTimeS: t) { return 0 }
        if rampS > 0 && t < startS + rampS { return dischargeAreaM2 * (t - startS) / rampS }
        return dischargeAreaM2
    }
}

/// An orifice at a node or face, for the potential solve.
struct OrificeTerm {
    var cdA: Double
    var outletHeadM: Double
    /// Index into `leaks`, or -1 for an orifice valve.
    var leak: Int
}

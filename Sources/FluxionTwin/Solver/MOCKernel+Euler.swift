/// The gas kernel with the full isothermal Euler momentum equation (`GasMomentum.isothermalEuler`).
///
/// With the convective term the characteristics travel at v ± c, and along them
///
///     C+ (dx/dt = v + c):  dp + B₊·dṁ = −B₊·S·dt,   B₊ = B/(1 − M)
///     C− (dx/dt = v − c):  dp − B₋·dṁ = +B₋·S·dt,   B₋ = B/(1 + M)
///
/// with B = c/A, M = v/c = B·ṁ/p and S = f·c²·ṁ|ṁ|/(2·D·A·p) the friction sink. The grid is
/// the same Courant-1 lattice (Δx = c·Δt), so a characteristic reaching a face in Δt/2 starts
/// M·Δx/2 beyond its cell centre: its foot is interpolated linearly between the cell and the
/// neighbour on the side it comes from (a cell, weight M/2, or the face at the segment's edge,
/// half as far, weight M: no interpolation across a leak or a node). The face then follows from
///
///     Cp = p₊ + B₊·(ṁ₊ − ρ_i)        Cm = p₋ − B₋·(ṁ₋ − ρ_{i+1})
///     ṁ* = (Cp − Cm)/(B₊ + B₋)       p* = Cp − B₊·ṁ*
///
/// (each characteristic carries the friction of its own cell's half, ρ_i = r_i/B as in `advanceGas`;
/// taking it at the interpolated foot instead would change it by O(M) of a half cell's friction),
/// and each cell is updated in conservation form with the momentum flux p + ρv² (ρv² = (B·ṁ)²/p)
/// and the same trapezoidal (Heun) friction as `advanceGas`:
///
///     p_i ← p_i − B·(ṁ*_right − ṁ*_left)
///     ṁ_i ← ṁ_i − ((p* + ρv²*)_right − (p* + ρv²*)_left)/B − (r_i + r̃_i)/B
///
/// At M = 0 this is `advanceGas` term for term. Mass is conserved to round-off as there.
extension MOCKernel {
    /// M clamped to ±0.9 so the interpolation weights stay convex (the twin refuses leaks that
    /// drive the flow above Mach 0.3).
    @inline(__always)
    static func mach(b: Double, p: Double, q: Double) -> Double {
        min(0.9, max(-0.9, b * q / p))
    }

    /// Advances `count` cells of a gas pipe segment with the isothermal Euler momentum equation.
    /// Parameters as `advanceGas`; the left and right faces also serve as the outer neighbours
    /// of the first and last cell for the interpolation of the characteristics' feet.
    @inline(__always)
    static func advanceGasEuler(
        p: UnsafeMutablePointer<Double>, q: UnsafeMutablePointer<Double>, count: Int,
        leftP: Double, leftQ: Double, rightP: Double, rightQ: Double,
        b: Double, friction: Double, c2: Double
    ) {
        let invB = 1 / b, b2 = b * b, halfFc2 = 0.5 * friction * c2
        var ql = leftQ
        var ml = leftP + b2 * leftQ * leftQ / leftP
        // Old state of the neighbour towards the start, and its weight (1: a cell, 2: a face).
        var pPrev = leftP, qPrev = leftQ, wPrev = 2.0
        var pi = p[0], qi = q[0]
        let invP0 = 1 / pi
        var ki = halfFc2 * invP0
        var rhoi = ki * qi * abs(qi)
        var mi = min(0.9, max(-0.9, b * qi * invP0))
        var i = 0
        // With α = 1 − M_i and β = 1 + M_{i+1} the face equations p* + (B/α)·ṁ* = Cp and
        // p* − (B/β)·ṁ* = Cm become α·p* + B·ṁ* = α·Cp and β·p* − B·ṁ* = β·Cm: one division.
        while i < count - 1 {
            let pn = p[i + 1], qn = q[i + 1]
            let invPn = 1 / pn
            let kn = halfFc2 * invPn
            let rhon = kn * qn * abs(qn)
            let mn = min(0.9, max(-0.9, b * qn * invPn))
            // C+ from cell i.
            let fpP: Double, fpQ: Double
            if mi >= 0 {
                let w = 0.5 * mi * wPrev
                fpP = pi + w * (pPrev - pi); fpQ = qi + w * (qPrev - qi)
            } else {
                let w = -0.5 * mi
                fpP = pi + w * (pn - pi); fpQ = qi + w * (qn - qi)
            }
            // C− from cell i + 1.
            let fmP: Double, fmQ: Double
            if mn > 0 {
                let w = 0.5 * mn
                fmP = pn + w * (pi - pn); fmQ = qn + w * (qi - qn)
            } else {
                let far = i + 2 < count
                let pf = far ? p[i + 2] : rightP, qf = far ? q[i + 2] : rightQ
                let w = -0.5 * mn * (far ? 1 : 2)
                fmP = pn + w * (pf - pn); fmQ = qn + w * (qf - qn)
            }
            let alpha = 1 - mi, beta = 1 + mn
            let cpA = alpha * fpP + b * (fpQ - rhoi), cmB = beta * fmP - b * (fmQ - rhon)
            let pr = (cpA + cmB) / (alpha + beta)
            let qr = (cpA - alpha * pr) * invB
            let mr = pr + b2 * qr * qr / pr
            p[i] = pi - b * (qr - ql)
            let x = qi - invB * (mr - ml) - rhoi, predicted = x - rhoi
            q[i] = x - ki * predicted * abs(predicted)
            pPrev = pi; qPrev = qi; wPrev = 1
            ql = qr; ml = mr; pi = pn; qi = qn; rhoi = rhon; ki = kn; mi = mn
            i += 1
        }
        let mR = rightP + b2 * rightQ * rightQ / rightP
        p[i] = pi - b * (rightQ - ql)
        let x = qi - invB * (mR - ml) - rhoi, predicted = x - rhoi
        q[i] = x - ki * predicted * abs(predicted)
    }

    /// Foot of a characteristic leaving a cell (p, q) with Mach number m: the cell moved a
    /// fraction |m|/2·w towards the neighbour (pn, qn) on the side it comes from (w = 1 for a
    /// cell, 2 for a face).
    @inline(__always)
    static func foot(
        p: Double, q: Double, m: Double, neighbourP: Double, neighbourQ: Double, weight: Double
    ) -> (p: Double, q: Double) {
        let w = 0.5 * abs(m) * weight
        return (p + w * (neighbourP - p), q + w * (neighbourQ - q))
    }
}

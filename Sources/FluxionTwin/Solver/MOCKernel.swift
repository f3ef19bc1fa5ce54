/// The hot loop: pure functions that advance the cells of one pipe segment by one
/// time step, in place, at Courant number 1.
///
/// Cells i = 0…n−1 hold (P, Q) at their centres; faces sit between cells. A face
/// takes its values from the two characteristics that meet there, each carrying
/// the friction of the half cell it crosses (r = B·F·φ·Q|Q|/2):
///
///     Cp = P_i + B·Q_i − r_i          Cm = P_{i+1} − B·Q_{i+1} + r_{i+1}
///     P* = (Cp + Cm)/2                Q* = (Cp − Cm)/(2B)
///
/// and each cell is updated in conservation form, friction as a momentum sink:
///
///     P_i ← P_i − B·(Q*_right − Q*_left)
///     Q_i ← Q_i − (P*_right − P*_left)/B − 2·r_i/B
///
/// This is the classical MOC update on a cell-centred grid, but it conserves mass
/// exactly (the storage Σ P_i changes only by face fluxes) and keeps the discrete
/// steady state equal to Darcy–Weisbach. B is the characteristic impedance
/// (liquid a/(gA), gas c/A), F = Δt·f/(2·D·A), and φ = 1 for liquids, c²/P_i for
/// gas. The end faces are given (node boundary conditions, leaks), so the loop has
/// no branches.
enum MOCKernel {
    /// Advances `count` cells of a liquid pipe segment.
    /// - Parameters: p, q: first cell; left/right face values (P, flow into the
    ///   first cell / flow out of the last cell); b: impedance; friction: F.
    @inline(__always)
    static func advanceLiquid(
        p: UnsafeMutablePointer<Double>, q: UnsafeMutablePointer<Double>, count: Int,
        leftP: Double, leftQ: Double, rightP: Double, rightQ: Double,
        b: Double, friction: Double
    ) {
        let invB = 1 / b, halfInvB = 0.5 * invB, halfBF = 0.5 * b * friction, twoInvB = 2 * invB
        var pl = leftP, ql = leftQ
        var pi = p[0], qi = q[0]
        var ri = halfBF * qi * abs(qi)
        var i = 0
        while i < count - 1 {
            let pn = p[i + 1], qn = q[i + 1]
            let rn = halfBF * qn * abs(qn)
            let cp = pi + b * qi - ri, cm = pn - b * qn + rn
            let pr = 0.5 * (cp + cm)
            let qr = halfInvB * (cp - cm)
            p[i] = pi - b * (qr - ql)
            q[i] = qi - invB * (pr - pl) - twoInvB * ri
            pl = pr; ql = qr; pi = pn; qi = qn; ri = rn
            i += 1
        }
        p[i] = pi - b * (rightQ - ql)
        q[i] = qi - invB * (rightP - pl) - twoInvB * ri
    }

    /// Advances `count` cells of a gas pipe segment (φ = c²/P_i). `c2`: wave speed squared, m²/s².
    @inline(__always)
    static func advanceGas(
        p: UnsafeMutablePointer<Double>, q: UnsafeMutablePointer<Double>, count: Int,
        leftP: Double, leftQ: Double, rightP: Double, rightQ: Double,
        b: Double, friction: Double, c2: Double
    ) {
        let invB = 1 / b, halfInvB = 0.5 * invB, halfBFc2 = 0.5 * b * friction * c2, twoInvB = 2 * invB
        var pl = leftP, ql = leftQ
        var pi = p[0], qi = q[0]
        var ri = halfBFc2 * qi * abs(qi) / pi
        var i = 0
        while i < count - 1 {
            let pn = p[i + 1], qn = q[i + 1]
            let rn = halfBFc2 * qn * abs(qn) / pn
            let cp = pi + b * qi - ri, cm = pn - b * qn + rn
            let pr = 0.5 * (cp + cm)
            let qr = halfInvB * (cp - cm)
            p[i] = pi - b * (qr - ql)
            q[i] = qi - invB * (pr - pl) - twoInvB * ri
            pl = pr; ql = qr; pi = pn; qi = qn; ri = rn
            i += 1
        }
        p[i] = pi - b * (rightQ - ql)
        q[i] = qi - invB * (rightP - pl) - twoInvB * ri
    }

    /// Characteristic constant arriving at a pipe's end face from its last cell
    /// (C+, with the friction of the half cell): P* = Cp − B·Q*.
    @inline(__always)
    static func cPlus(p: Double, q: Double, b: Double, friction: Double, phi: Double) -> Double {
        p + b * q - 0.5 * b * friction * phi * q * abs(q)
    }

    /// Characteristic constant arriving at a pipe's start face from its first cell
    /// (C−, with the friction of the half cell): P* = Cm + B·Q*.
    @inline(__always)
    static func cMinus(p: Double, q: Double, b: Double, friction: Double, phi: Double) -> Double {
        p - b * q + 0.5 * b * friction * phi * q * abs(q)
    }
}

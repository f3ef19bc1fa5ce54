/// The hot loop: pure functions that advance the cells of one pipe segment by one
/// time step, in place, at Courant number 1.
///
/// Cells i = 0…n−1 hold (P, Q) at their centres; faces sit between cells. An
/// interior face takes its values from the two characteristics that meet there
/// (no friction on the face):
///
///     P* = (P_i + P_{i+1})/2 + B·(Q_i − Q_{i+1})/2
///     Q* = (Q_i + Q_{i+1})/2 + (P_i − P_{i+1})/(2B)
///
/// and each cell is updated in conservation form, friction as a momentum sink:
///
///     P_i ← P_i − B·(Q*_right − Q*_left)
///     Q_i ← Q_i − (P*_right − P*_left)/B − F·φ_i·Q_i|Q_i|
///
/// which is the classical MOC update on a cell-centred grid but conserves mass
/// exactly (the storage Σ P_i changes only by face fluxes). B is the
/// characteristic impedance (liquid a/(gA), gas c/A), F = Δt·f/(2·D·A), and φ = 1
/// for liquids, c²/P_i for gas. The end faces are given (node boundary conditions,
/// leaks), so the loop has no branches.
enum MOCKernel {
    /// Advances `count` cells of a liquid pipe segment.
    /// - Parameters: p, q: first cell; left/right face values (P, flow into the
    ///   first cell / flow out of the last cell); b: impedance; friction: F.
    @inline(__always)
    static func advanceLiquid(p: UnsafeMutablePointer<Double>, q: UnsafeMutablePointer<Double>, count: Int,
                              leftP: Double, leftQ: Double, rightP: Double, rightQ: Double,
                              b: Double, friction: Double) {
        let invB = 1 / b, halfB = 0.5 * b, halfInvB = 0.5 * invB
        var pl = leftP, ql = leftQ
        var pi = p[0], qi = q[0]
        var i = 0
        while i < count - 1 {
            let pn = p[i + 1], qn = q[i + 1]
            let pr = 0.5 * (pi + pn) + halfB * (qi - qn)
            let qr = 0.5 * (qi + qn) + halfInvB * (pi - pn)
            p[i] = pi - b * (qr - ql)
            q[i] = qi - invB * (pr - pl) - friction * qi * abs(qi)
            pl = pr; ql = qr; pi = pn; qi = qn
            i += 1
        }
        p[i] = pi - b * (rightQ - ql)
        q[i] = qi - invB * (rightP - pl) - friction * qi * abs(qi)
    }

    /// Advances `count` cells of a gas pipe segment (φ = c²/P_i). `c2`: wave speed squared, m²/s².
    @inline(__always)
    static func advanceGas(p: UnsafeMutablePointer<Double>, q: UnsafeMutablePointer<Double>, count: Int,
                           leftP: Double, leftQ: Double, rightP: Double, rightQ: Double,
                           b: Double, friction: Double, c2: Double) {
        let invB = 1 / b, halfB = 0.5 * b, halfInvB = 0.5 * invB, fc2 = friction * c2
        var pl = leftP, ql = leftQ
        var pi = p[0], qi = q[0]
        var i = 0
        while i < count - 1 {
            let pn = p[i + 1], qn = q[i + 1]
            let pr = 0.5 * (pi + pn) + halfB * (qi - qn)
            let qr = 0.5 * (qi + qn) + halfInvB * (pi - pn)
            p[i] = pi - b * (qr - ql)
            q[i] = qi - invB * (pr - pl) - fc2 * qi * abs(qi) / pi
            pl = pr; ql = qr; pi = pn; qi = qn
            i += 1
        }
        p[i] = pi - b * (rightQ - ql)
        q[i] = qi - invB * (rightP - pl) - fc2 * qi * abs(qi) / pi
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

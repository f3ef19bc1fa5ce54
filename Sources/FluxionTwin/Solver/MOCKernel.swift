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
/// and each cell is updated in conservation form, friction as a momentum sink taken
/// half from the cell's old state and half from its new one (trapezoidal along each
/// characteristic: the half cell at its foot explicit, the half cell it arrives in at
/// the new state):
///
///     P_i ← P_i − B·(Q*_right − Q*_left)
///     Q_i ← Q_i − (P*_right − P*_left)/B − (r_i + r̃_i)/B
///
/// r̃_i is r at the predictor Q̃_i = Q_i − (P*_right − P*_left)/B − 2·r_i/B (the update
/// with the old friction on both halves): Heun's predictor–corrector, no square root or
/// division (gas: φ of the arriving half from the old P_i, which moves by a fraction ΔP/P
/// ≪ 1 per step). In a steady state Q̃_i = Q_i, so the discrete steady state is unchanged.
///
/// This is the classical MOC update on a cell-centred grid, but it conserves mass
/// exactly (the storage Σ P_i changes only by face fluxes) and keeps the discrete
/// steady state equal to Darcy–Weisbach. B is the characteristic impedance
/// (liquid a/(gA), gas c/A), F = Δt·f/(2·D·A), and φ = 1 for liquids, c²/P_i for
/// gas. The end faces are given (node boundary conditions, leaks), so the loop has
/// no branches. Why the arriving half cell takes the new state: with 2·r_i (the old
/// state for both halves), a cell just behind a front took the friction of the far side
/// of the front, and at Courant 1 that error rides with the front and grows with every
/// reach it crosses (docs/PHYSICS.md, Friction integration).
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
        // ρ = r/B = F·Q|Q|/2: the friction of a half cell in flow units.
        let invB = 1 / b, halfInvB = 0.5 * invB, halfF = 0.5 * friction
        var pl = leftP, ql = leftQ
        var pi = p[0], qi = q[0]
        var rhoi = halfF * qi * abs(qi)
        var i = 0
        while i < count - 1 {
            let pn = p[i + 1], qn = q[i + 1]
            let rhon = halfF * qn * abs(qn)
            let cp = pi + b * (qi - rhoi), cm = pn - b * (qn - rhon)
            let pr = 0.5 * (cp + cm)
            let qr = halfInvB * (cp - cm)
            p[i] = pi - b * (qr - ql)
            let x = qi - invB * (pr - pl) - rhoi, predicted = x - rhoi
            q[i] = x - halfF * predicted * abs(predicted)
            pl = pr; ql = qr; pi = pn; qi = qn; rhoi = rhon
            i += 1
        }
        p[i] = pi - b * (rightQ - ql)
        let x = qi - invB * (rightP - pl) - rhoi, predicted = x - rhoi
        q[i] = x - halfF * predicted * abs(predicted)
    }

    /// Advances `count` cells of a gas pipe segment (φ = c²/P_i). `c2`: wave speed squared, m²/s².
    @inline(__always)
    static func advanceGas(
        p: UnsafeMutablePointer<Double>, q: UnsafeMutablePointer<Double>, count: Int,
        leftP: Double, leftQ: Double, rightP: Double, rightQ: Double,
        b: Double, friction: Double, c2: Double
    ) {
        // ρ = r/B = k·Q|Q| with k = F·c²/(2P): the friction of a half cell in flow units.
        let invB = 1 / b, halfInvB = 0.5 * invB, halfFc2 = 0.5 * friction * c2
        var pl = leftP, ql = leftQ
        var pi = p[0], qi = q[0]
        var ki = halfFc2 / pi
        var rhoi = ki * qi * abs(qi)
        var i = 0
        while i < count - 1 {
            let pn = p[i + 1], qn = q[i + 1]
            let kn = halfFc2 / pn
            let rhon = kn * qn * abs(qn)
            let cp = pi + b * (qi - rhoi), cm = pn - b * (qn - rhon)
            let pr = 0.5 * (cp + cm)
            let qr = halfInvB * (cp - cm)
            p[i] = pi - b * (qr - ql)
            let x = qi - invB * (pr - pl) - rhoi, predicted = x - rhoi
            // φ of the arriving half from the old P (no second division): P moves by a
            // fraction ΔP/P ≪ 1 per step, Q by much more.
            q[i] = x - ki * predicted * abs(predicted)
            pl = pr; ql = qr; pi = pn; qi = qn; rhoi = rhon; ki = kn
            i += 1
        }
        p[i] = pi - b * (rightQ - ql)
        let x = qi - invB * (rightP - pl) - rhoi, predicted = x - rhoi
        q[i] = x - ki * predicted * abs(predicted)
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

/// The characteristics arriving at a face from its two cells, as the boundaries, leak faces and
/// probes use them (the kernel computes the same inline).
extension TransientSolver {
    /// The C+ arriving at the face after cell `j` (0-based within pipe k): its constant Cp
    /// (P* = Cp − B₊·Q*) and impedance B₊ (B without convection, B/(1 − M) with isothermal Euler,
    /// foot interpolated as in `MOCKernel.advanceGasEuler`).
    @inline(__always)
    func arrivingPlus(_ k: Int, _ j: Int) -> (c: Double, b: Double) {
        let i = offset[k] + j, b = impedance[k], f = frictionCoefficient[k]
        let ph = phi(k, p[i])
        if !euler { return (MOCKernel.cPlus(p: p[i], q: q[i], b: b, friction: f, phi: ph), b) }
        let m = MOCKernel.mach(b: b, p: p[i], q: q[i])
        let n = neighbour(k, j, towardStart: m >= 0)
        let foot = MOCKernel.foot(p: p[i], q: q[i], m: m, neighbourP: n.p, neighbourQ: n.q, weight: n.weight)
        let bp = b / (1 - m), rho = 0.5 * f * ph * q[i] * abs(q[i])
        return (foot.p + bp * (foot.q - rho), bp)
    }

    /// The C− arriving at the face before cell `j`: its constant Cm (P* = Cm + B₋·Q*) and
    /// impedance B₋ (B, or B/(1 + M) with isothermal Euler).
    @inline(__always)
    func arrivingMinus(_ k: Int, _ j: Int) -> (c: Double, b: Double) {
        let i = offset[k] + j, b = impedance[k], f = frictionCoefficient[k]
        let ph = phi(k, p[i])
        if !euler { return (MOCKernel.cMinus(p: p[i], q: q[i], b: b, friction: f, phi: ph), b) }
        let m = MOCKernel.mach(b: b, p: p[i], q: q[i])
        let n = neighbour(k, j, towardStart: m > 0)
        let foot = MOCKernel.foot(p: p[i], q: q[i], m: m, neighbourP: n.p, neighbourQ: n.q, weight: n.weight)
        let bm = b / (1 + m), rho = 0.5 * f * ph * q[i] * abs(q[i])
        return (foot.p - bm * (foot.q - rho), bm)
    }

    /// The state next to cell `j` of pipe k towards the pipe's start or end, for interpolating a
    /// characteristic's foot: the neighbouring cell (weight 1, a reach away), or the face between
    /// them when it is the pipe's end or carries a leak (weight 2, half a reach away; the side of
    /// the leak face facing cell j). Faces hold the latest level computed.
    func neighbour(_ k: Int, _ j: Int, towardStart: Bool) -> (p: Double, q: Double, weight: Double) {
        let n = reaches[k]
        if towardStart {
            if j == 0 { return (startP[k], startQ[k], 2) }
            if let leak = leaks.first(where: { $0.pipe == k && $0.face == j }) { return (leak.faceP, leak.rightQ, 2) }
            return (p[offset[k] + j - 1], q[offset[k] + j - 1], 1)
        }
        if j == n - 1 { return (endP[k], endQ[k], 2) }
        if let leak = leaks.first(where: { $0.pipe == k && $0.face == j + 1 }) { return (leak.faceP, leak.leftQ, 2) }
        return (p[offset[k] + j + 1], q[offset[k] + j + 1], 1)
    }
}

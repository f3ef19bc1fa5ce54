#!/usr/bin/env python3
"""Independent reference for the twin's isothermal Euler gas model (docs/PHYSICS.md,
"Gas momentum equation"): a 3 % leak opened over 1 s at 20 km on a 40 km DN800 line, 5 MPa
source, 200,000 Sm3/h delivered, Colebrook friction.

Scheme (nothing shared with the twin's method of characteristics): finite volumes on the
conservative variables (rho, m = rho*v), HLL fluxes of F = (m, m^2/rho + c^2*rho) between
MUSCL (minmod) reconstructions, Heun (SSP-RK2) in time at CFL 0.5, the friction sink
-f*m|m|/(2*D*rho) in both stages. The source, the delivery and the leak are faces whose states
follow from the isothermal Riemann invariants v +- c*ln(rho) of the adjacent cells: the source
holds p, the delivery takes the demanded mass flow, and the leak face has one static pressure
on both sides and loses the orifice flow (choked) between them, as the twin's junctions do.

Writes Tests/Data/gas-euler-leak-reference.csv: pressure (Pa) at 10 km,
30 km and the delivery node every 0.5 s to 180 s, and the leak's Cd*A in a comment line.
Run with any Python that has NumPy (the .venv-pinn venv made by scripts/setup.sh); the committed
file is the default 2.5 m run (a few minutes), checked against a 5 m run with --compare 5:
    .venv-pinn/bin/python scripts/gas_euler_reference.py [--dx 2.5] [--compare 5] [--out FILE]
Used by Tests/FluxionTwinTests/GasEulerTests.swift (leakTransientMatchesAnIndependentEulerSolution).
"""

import argparse
import math
import sys

import numpy as np

R, Z, T = 475.19, 0.99, 288.15
MU, GAMMA, P_AMB = 1.1e-5, 1.31, 101_325.0
C2 = Z * R * T
C = math.sqrt(C2)
L, D, EPS = 40_000.0, 0.8, 2e-5
A = math.pi * D * D / 4
P_SOURCE = 5e6
RHO_STD = 101_325.0 / (R * 288.15)
M_DOT = 200_000 * RHO_STD / 3600  # kg/s
X_LEAK, LEAK_FRACTION, LEAK_START, LEAK_RAMP = 20_000.0, 0.03, 60.0, 1.0
SENSORS = [10_000.0, 30_000.0]
T_END, SAMPLE = 180.0, 0.5


def colebrook(rel_rough, re):
    y = 1 / 0.02**0.5
    for _ in range(200):
        y = -2 * math.log10(rel_rough / 3.7 + 2.51 * y / re)
    return 1 / (y * y)


F = colebrook(EPS / D, 4 * M_DOT / (math.pi * D * MU))
CHOKED = math.sqrt(GAMMA / C2 * (2 / (GAMMA + 1)) ** ((GAMMA + 1) / (GAMMA - 1)))


def steady_pressure(x):
    """Steady isothermal Euler: d(p + G^2 c^2/p)/dx = -f G|G| c^2/(2 D p), RK4 from the source."""
    g = M_DOT / A

    def dpdx(p):
        return -F * g * abs(g) * C2 / (2 * D * p) / (1 - g * g * C2 / (p * p))

    out, p, xs = [], P_SOURCE, 0.0
    for target in x:
        n = max(1, int(math.ceil((target - xs) / 1.0)))
        h = (target - xs) / n
        for _ in range(n):
            k1 = dpdx(p)
            k2 = dpdx(p + h / 2 * k1)
            k3 = dpdx(p + h / 2 * k2)
            k4 = dpdx(p + h * k3)
            p += h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        xs = target
        out.append(p)
    return np.array(out)


def minmod(a, b):
    return np.where(a * b > 0, np.sign(a) * np.minimum(abs(a), abs(b)), 0.0)


def flux(rho, m):
    return m, m * m / rho + C2 * rho


def hll(rl, ml, rr, mr):
    vl, vr = ml / rl, mr / rr
    sl = np.minimum(vl - C, vr - C)
    sr = np.maximum(vl + C, vr + C)
    f1l, f2l = flux(rl, ml)
    f1r, f2r = flux(rr, mr)
    d = sr - sl
    f1 = (sr * f1l - sl * f1r + sl * sr * (rr - rl)) / d
    f2 = (sr * f2l - sl * f2r + sl * sr * (mr - ml)) / d
    f1 = np.where(sl >= 0, f1l, np.where(sr <= 0, f1r, f1))
    f2 = np.where(sl >= 0, f2l, np.where(sr <= 0, f2r, f2))
    return f1, f2


def solve_rho(fun, guess):
    x = guess
    for _ in range(60):
        h = 1e-7 * x
        fx = fun(x)
        step = fx / ((fun(x + h) - fx) / h)
        x -= step
        if abs(step) < 1e-14 * x:
            break
    return x


def run(dx):
    n = int(round(L / dx))
    xc = (np.arange(n) + 0.5) * dx
    rho = steady_pressure(xc) / C2
    m = np.full(n, M_DOT / A)
    jl = int(round(X_LEAK / dx))  # leak face index (between cells jl-1 and jl)
    p_leak0 = steady_pressure([X_LEAK])[0]
    cda = LEAK_FRACTION * M_DOT / (p_leak0 * CHOKED)
    substeps = int(math.ceil(SAMPLE / (0.5 * dx / (C + 10.0))))
    dt = SAMPLE / substeps
    g_d = M_DOT / A

    def half_cell_friction(v, speed):
        # Change of a Riemann invariant v +- c*ln(rho) over the half cell from the centre to the
        # face, travelled at `speed`: d/dt = -f v|v|/(2D).
        return F * v * abs(v) / (2 * D) * (0.5 * dx / speed)

    def rhs(rho, m, t):
        # MUSCL reconstruction of the interior faces 1..n-1.
        sr = minmod(rho[1:-1] - rho[:-2], rho[2:] - rho[1:-1])
        sm = minmod(m[1:-1] - m[:-2], m[2:] - m[1:-1])
        sr = np.concatenate(([0.0], sr, [0.0]))
        sm = np.concatenate(([0.0], sm, [0.0]))
        rl, ml = rho[:-1] + 0.5 * sr[:-1], m[:-1] + 0.5 * sm[:-1]
        rr, mr = rho[1:] - 0.5 * sr[1:], m[1:] - 0.5 * sm[1:]
        f1, f2 = hll(rl, ml, rr, mr)  # face j (1..n-1) at index j-1
        # Source face (x = 0): rho fixed, C- invariant v - c ln(rho) from cell 0.
        rb = P_SOURCE / C2
        v0 = m[0] / rho[0]
        vb = v0 - C * math.log(rho[0]) + C * math.log(rb) - half_cell_friction(v0, C - v0)
        s1, s2 = rb * vb, rb * vb * vb + C2 * rb
        # Delivery face (x = L): mass flux G, C+ invariant v + c ln(rho) from the last cell.
        vn = m[-1] / rho[-1]
        jp = vn + C * math.log(rho[-1]) - half_cell_friction(vn, C + vn)
        re_ = solve_rho(lambda r: g_d / r + C * math.log(r) - jp, rho[-1])
        e1, e2 = g_d, g_d * g_d / re_ + C2 * re_
        # Leak face: one static pressure, C+ from the left cell, C- from the right one.
        frac = 0.0 if t <= LEAK_START else min(1.0, (t - LEAK_START) / LEAK_RAMP)
        lf1l = lf2l = lf1r = lf2r = None
        if frac > 0:
            a, b = jl - 1, jl
            va, vb_ = m[a] / rho[a], m[b] / rho[b]
            ip = va + C * math.log(rho[a]) - half_cell_friction(va, C + va)
            im = vb_ - C * math.log(rho[b]) - half_cell_friction(vb_, C - vb_)

            def balance(r):
                vl_, vr_ = ip - C * math.log(r), im + C * math.log(r)
                return r * (vl_ - vr_) - frac * cda * C2 * r * CHOKED / A

            rs = solve_rho(balance, 0.5 * (rho[a] + rho[b]))
            vl_, vr_ = ip - C * math.log(rs), im + C * math.log(rs)
            lf1l, lf2l = rs * vl_, rs * vl_ * vl_ + C2 * rs
            lf1r, lf2r = rs * vr_, rs * vr_ * vr_ + C2 * rs
        F1 = np.concatenate(([s1], f1, [e1]))
        F2 = np.concatenate(([s2], f2, [e2]))
        G1, G2 = F1.copy(), F2.copy()  # G: flux at each cell's left face
        if lf1l is not None:
            F1[jl], F2[jl] = lf1l, lf2l  # right face of cell jl-1
            G1[jl], G2[jl] = lf1r, lf2r  # left face of cell jl
        drho = -(F1[1:] - G1[:-1]) / dx
        dm = -(F2[1:] - G2[:-1]) / dx - F * m * abs(m) / (2 * D * rho)
        return drho, dm, (s1, e1, re_)

    t = 0.0
    rows = []
    nsteps = int(round(T_END / dt))
    for step in range(nsteps + 1):
        if step % substeps == 0:
            _, _, (_, _, re_) = rhs(rho, m, t)
            vals = [t]
            for s in SENSORS:
                j = int(round(s / dx))
                vals.append(0.5 * C2 * (rho[j - 1] + rho[j]))
            vals.append(C2 * re_)
            rows.append(vals)
        if step == nsteps:
            break
        d1, d2, _ = rhs(rho, m, t)
        r1, m1 = rho + dt * d1, m + dt * d2
        e1, e2, _ = rhs(r1, m1, t + dt)
        rho = 0.5 * (rho + r1 + dt * e1)
        m = 0.5 * (m + m1 + dt * e2)
        t = (step + 1) * dt
    return np.array(rows), cda, F


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dx", type=float, default=2.5)
    ap.add_argument("--out", default="Tests/Data/gas-euler-leak-reference.csv")
    ap.add_argument("--compare", type=float, default=0.0, help="also run this dx and print the difference")
    args = ap.parse_args()
    rows, cda, f = run(args.dx)
    if args.compare > 0:
        other, _, _ = run(args.compare)
        drop = rows[0, 1] - rows[:, 1].min()
        diff = abs(other[:, 1:] - rows[:, 1:]).max(axis=0)
        print(f"dx {args.compare} vs {args.dx}: max |dp| per sensor {diff} Pa; drop at 10 km {drop:.1f} Pa")
    with open(args.out, "w") as out:
        out.write(f"# gas_euler_reference.py --dx {args.dx}: cdA_m2={cda:.17g} darcy_f={f:.17g}\n")
        out.write("time_s,p_10km_pa,p_30km_pa,p_delivery_pa\n")
        for r in rows:
            out.write(f"{r[0]:.3f},{r[1]:.6f},{r[2]:.6f},{r[3]:.6f}\n")
    print(f"wrote {args.out}: {len(rows)} rows, cdA {cda:.6g} m2, f {f:.6g}", file=sys.stderr)


if __name__ == "__main__":
    main()

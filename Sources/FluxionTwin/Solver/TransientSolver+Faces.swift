/// Boundary conditions on pipe end faces and leak faces.
extension TransientSolver {
    /// φ, the friction scaling of a cell: 1 for liquids, c²/P for gas.
    @inline(__always)
    func phi(_ k: Int, _ pValue: Double) -> Double {
        gasC2[k] == 0 ? 1 : gasC2[k] / pValue
    }

    /// Orifice flow (solver unit) at potential P.
    func orificeFlow(_ o: OrificeTerm, potential: Double) -> Double {
        switch network.fluid {
        case .liquid: Orifice.liquidFlow(dischargeAreaM2: o.cdA, headM: potential - o.outletHeadM, gravityMS2: gravity)
        case .gas(let g): Orifice.gasMassFlow(dischargeAreaM2: o.cdA, pressurePa: potential, gas: g)
        }
    }

    /// Solves S·P − K + D + Σ q_i(P) = 0 for P (the orifice flows are increasing in P).
    /// Safeguarded Newton inside a bisection bracket, to machine precision.
    func solvePotential(s: Double, k: Double, demand: Double, orifices: [OrificeTerm]) -> Double {
        let free = (k - demand) / s
        if orifices.isEmpty { return free }
        func f(_ x: Double) -> Double { s * x - k + demand + orifices.reduce(0) { $0 + orificeFlow($1, potential: x) } }
        if f(free) <= 0 { return free }
        var hi = free
        var lo: Double
        switch network.fluid {
        case .liquid: lo = orifices.map(\.outletHeadM).min()!
        case .gas(let g): lo = g.ambientPressurePa
        }
        if lo >= hi { return free }
        while f(lo) > 0 { lo -= max(abs(hi - lo), 1) }  // only if an outlet lies above the free level
        var x = hi
        for _ in 0..<200 {
            let fx = f(x)
            if fx > 0 { hi = x } else { lo = x }
            let h = max(abs(x) * 1e-8, 1e-10)
            let d = (f(x + h) - fx) / h
            var next = d > 0 ? x - fx / d : 0.5 * (lo + hi)
            if !(next > lo && next < hi) { next = 0.5 * (lo + hi) }
            if abs(next - x) <= 1e-15 * max(abs(x), 1) || hi - lo <= 1e-15 * max(abs(x), 1) { return next }
            x = next
        }
        return x
    }

    /// Recomputes every end face and leak face from the cells at `timeS`.
    mutating func computeFaces() {
        let t = timeS
        let fluid = network.fluid
        for i in leaks.indices { leaks[i].outflow = 0 }
        // Leaks by node and by interior face.
        var nodeLeaks = [Int: [OrificeTerm]]()
        var faceLeaks = [Int: [OrificeTerm]]()  // key: offset + face
        for (i, leak) in leaks.enumerated() where !leaks.isEmpty {
            let a = leak.area(atTimeS: t)
            let term = OrificeTerm(cdA: a, outletHeadM: leak.outletHeadM, leak: i)
            if leak.face == 0 {
                nodeLeaks[fromNode[leak.pipe], default: []].append(term)
            } else if leak.face == reaches[leak.pipe] {
                nodeLeaks[toNode[leak.pipe], default: []].append(term)
            } else {
                faceLeaks[leak.pipe << 32 | leak.face, default: []].append(term)
            }
        }
        for (j, node) in network.nodes.enumerated() {
            var s = 0.0, kSum = 0.0
            for (slot, (k, atEnd)) in attachments[j].enumerated() {
                let (c, b) = atEnd ? arrivingPlus(k, reaches[k] - 1) : arrivingMinus(k, 0)
                scratch[slot] = c
                scratchB[slot] = b
                s += 1 / b
                kSum += c / b
            }
            var orifices = nodeLeaks.isEmpty ? [] : nodeLeaks[j] ?? []
            if let v = Boundaries.valveOrifice(node, atTimeS: t) {
                orifices.append(OrificeTerm(cdA: v.cdA, outletHeadM: v.outletHeadM, leak: -1))
            }
            let demand = Boundaries.prescribedOutflow(node, fluid: fluid, atTimeS: t)
            let potential: Double
            if let fixed = Boundaries.fixedPotential(node, fluid: fluid, atTimeS: t) {
                potential = fixed
                for o in orifices where o.leak >= 0 { leaks[o.leak].outflow = orificeFlow(o, potential: fixed) }
            } else {
                potential = solvePotential(s: s, k: kSum, demand: demand, orifices: orifices)
                // Share the exact balance among the orifices so mass is conserved to round-off.
                let total = kSum - s * potential - demand
                let raw = orifices.map { orificeFlow($0, potential: potential) }
                let rawSum = raw.reduce(0, +)
                for (o, r) in zip(orifices, raw) where o.leak >= 0 {
                    leaks[o.leak].outflow = rawSum > 0 ? total * r / rawSum : 0
                }
            }
            var inflow = 0.0
            for (slot, (k, atEnd)) in attachments[j].enumerated() {
                let b = scratchB[slot], c = scratch[slot]
                if atEnd {
                    endP[k] = potential
                    endQ[k] = (c - potential) / b
                    inflow += endQ[k]
                } else {
                    startP[k] = potential
                    startQ[k] = (potential - c) / b
                    inflow -= startQ[k]
                }
            }
            nodeOutflow[j] = inflow
        }
        for (key, orifices) in faceLeaks {
            let k = key >> 32, face = key & 0xffff_ffff
            let (cp, bp) = arrivingPlus(k, face - 1), (cm, bm) = arrivingMinus(k, face)
            let potential =
                euler
                ? solvePotential(s: 1 / bp + 1 / bm, k: cp / bp + cm / bm, demand: 0, orifices: orifices)
                : solvePotential(s: 2 / bp, k: (cp + cm) / bp, demand: 0, orifices: orifices)
            let leftQ = (cp - potential) / bp, rightQ = (potential - cm) / bm
            let raw = orifices.map { orificeFlow($0, potential: potential) }
            let rawSum = raw.reduce(0, +)
            for (o, r) in zip(orifices, raw) {
                leaks[o.leak].faceP = potential
                leaks[o.leak].leftQ = leftQ
                leaks[o.leak].rightQ = rightQ
                leaks[o.leak].outflow = rawSum > 0 ? (leftQ - rightQ) * r / rawSum : 0
            }
        }
    }
}

import FluxionTwin
import Yams

/// Parsers for the elements of a scenario file.
extension ScenarioLoader {
    static func parseFluid(_ m: inout YAMLMapping) throws(ScenarioError) -> Fluid {
        let kind = try m.requiredString("kind")
        let fluid: Fluid
        switch kind {
        case "liquid", "water":
            var l = Liquid()
            l.densityKgM3 = try m.positive("density_kg_m3") ?? l.densityKgM3
            l.bulkModulusPa = try m.positive("bulk_modulus_pa") ?? l.bulkModulusPa
            l.kinematicViscosityM2S = try m.positive("kinematic_viscosity_m2_s") ?? l.kinematicViscosityM2S
            l.temperatureC = try m.double("temperature_c") ?? l.temperatureC
            l.gravityMS2 = try m.positive("gravity_m_s2") ?? l.gravityMS2
            if try m.string("momentum") != nil {
                throw m.error("momentum", "is for gas only (liquids leave the convective term out)")
            }
            fluid = .liquid(l)
        case "gas":
            var g = Gas()
            g.specificGasConstantJKgK = try m.positive("specific_gas_constant_j_kg_k") ?? g.specificGasConstantJKgK
            g.compressibility = try m.positive("compressibility") ?? g.compressibility
            g.referenceTemperatureK = try m.positive("temperature_k") ?? g.referenceTemperatureK
            g.dynamicViscosityPaS = try m.positive("dynamic_viscosity_pa_s") ?? g.dynamicViscosityPaS
            g.heatCapacityRatio = try m.positive("heat_capacity_ratio") ?? g.heatCapacityRatio
            g.ambientPressurePa = try m.positive("ambient_pressure_pa") ?? g.ambientPressurePa
            if var p = try m.mapping("temperature_profile_c") { g.temperatureProfileC = try parseProfile(&p) }
            if let name = try m.string("momentum") {
                guard let model = GasMomentum(rawValue: name) else {
                    throw m.error("momentum", "must be no_convection or isothermal_euler, not '\(name)'")
                }
                g.momentum = model
            }
            if g.heatCapacityRatio <= 1 { throw m.error("heat_capacity_ratio", "must be greater than 1") }
            fluid = .gas(g)
        default:
            throw m.error("kind", "must be liquid or gas, not '\(kind)'")
        }
        try m.finish()
        return fluid
    }

    /// `{hourly: [24 values]}` or `{points: [[t_s, v], …], period_s: P}`.
    static func parseProfile(_ m: inout YAMLMapping) throws(ScenarioError) -> TimeProfile {
        let profile: TimeProfile
        if let h = try m.doubles("hourly") {
            guard h.count == 24 else { throw m.error("hourly", "needs 24 values, has \(h.count)") }
            profile = .hourly(h)
        } else if let pts = try m.pairs("points"), !pts.isEmpty {
            for i in 1..<max(pts.count, 1) where pts[i].0 <= pts[i - 1].0 {
                throw m.error("points", "times must increase")
            }
            profile = TimeProfile(points: pts.map { (timeS: $0.0, value: $0.1) }, periodS: try m.positive("period_s"))
        } else {
            throw m.error(nil, "a profile needs 'hourly' or 'points'")
        }
        try m.finish()
        return profile
    }

    static func parseNode(
        _ m: inout YAMLMapping, isGas: Bool, lines: inout ElementLines
    ) throws(ScenarioError) -> FluxionTwin.Node {
        let id = try m.requiredString("id")
        m.element = id
        lines.record(id, m)
        let kind = try m.string("kind") ?? "junction"
        let boundary: BoundaryCondition
        switch kind {
        case "junction": boundary = .junction
        case "dead_end": boundary = .deadEnd
        case "reservoir": boundary = .reservoir(headM: try m.requiredDouble("head_m"))
        case "source":
            guard let p = try m.positive("pressure_pa") else { throw m.missing("pressure_pa") }
            boundary = .pressureSource(pressurePa: p)
        case "demand":
            let flow = try m.requiredDouble("flow")
            var profile: TimeProfile?
            if var p = try m.mapping("profile") { profile = try parseProfile(&p) }
            boundary = .demand(Demand(baseFlow: flow, profile: profile))
        case "valve":
            let lawName = try m.string("law") ?? "prescribed_flow"
            let law: Valve.Law
            switch lawName {
            case "prescribed_flow": law = .prescribedFlow(openFlow: try m.requiredDouble("open_flow"))
            case "orifice":
                guard let a = try m.positive("discharge_area_m2") else { throw m.missing("discharge_area_m2") }
                law = .orifice(dischargeAreaM2: a, downstreamHeadM: try m.double("downstream_head_m") ?? 0)
            default: throw m.error("law", "must be prescribed_flow or orifice, not '\(lawName)'")
            }
            var closure = ValveClosure.open
            if var c = try m.mapping("closure") {
                if var t = try c.mapping("table") {
                    closure = .table(try parseProfile(&t))
                } else {
                    closure = .rule(
                        durationS: try c.positive("duration_s", allowZero: true) ?? 0,
                        startS: try c.requiredDouble("start_s"),
                        finalOpenFraction: try c.positive("final_open_fraction", allowZero: true) ?? 0,
                        exponent: try c.positive("exponent") ?? 1)
                }
                try c.finish()
            }
            boundary = .valve(Valve(law: law, closure: closure))
        default:
            throw m.error("kind", "must be junction, dead_end, reservoir, source, demand or valve, not '\(kind)'")
        }
        let node = FluxionTwin.Node(
            id: id, boundary: boundary, elevationM: try m.double("elevation_m") ?? 0,
            xM: try m.double("x_m") ?? 0, yM: try m.double("y_m") ?? 0)
        try m.finish()
        return node
    }

    static func parsePipe(_ m: inout YAMLMapping, lines: inout ElementLines) throws(ScenarioError) -> Pipe {
        let id = try m.requiredString("id")
        m.element = id
        lines.record(id, m)
        let from = try m.requiredString("from"), to = try m.requiredString("to")
        guard let length = try m.positive("length_m") else { throw m.missing("length_m") }
        guard let diameter = try m.positive("diameter_m") else { throw m.missing("diameter_m") }
        let friction: Friction
        if let f = try m.positive("darcy_f", allowZero: true) {
            if m.has("roughness_m") { throw m.error("roughness_m", "give darcy_f or roughness_m, not both") }
            friction = .darcy(f)
        } else if let e = try m.positive("roughness_m", allowZero: true) {
            let name = try m.string("friction_formula") ?? "colebrook"
            guard let formula = FrictionFormula(rawValue: name) else {
                throw m.error("friction_formula", "must be colebrook or swamee_jain, not '\(name)'")
            }
            friction = .roughness(meters: e, formula: formula)
        } else {
            throw m.error("darcy_f", "a pipe needs darcy_f or roughness_m")
        }
        let wave: WaveSpeed
        if let a = try m.positive("wave_speed_m_s") {
            wave = .given(a)
        } else if var w = try m.mapping("wall") {
            guard let e = try w.positive("young_modulus_pa") else { throw w.missing("young_modulus_pa") }
            guard let t = try w.positive("thickness_m") else { throw w.missing("thickness_m") }
            wave = .fromWall(youngModulusPa: e, thicknessM: t, restraintFactor: try w.positive("restraint_factor") ?? 1)
            try w.finish()
        } else {
            wave = .fromWall(youngModulusPa: 2.07e11, thicknessM: diameter / 50, restraintFactor: 1)
        }
        var geometry = [MapPoint]()
        if let pts = try m.pairs("geometry") { geometry = pts.map { MapPoint(xM: $0.0, yM: $0.1) } }
        let pipe = Pipe(
            id: id, from: from, to: to, lengthM: length, diameterM: diameter, friction: friction,
            waveSpeed: wave, geometry: geometry, nominalFlow: try m.positive("nominal_flow"))
        try m.finish()
        return pipe
    }

    static func parseSensor(_ m: inout YAMLMapping, lines: inout ElementLines) throws(ScenarioError) -> Sensor {
        let id = try m.requiredString("id")
        m.element = id
        lines.record(id, m)
        let qName = try m.requiredString("quantity")
        guard let quantity = Quantity(name: qName) else {
            throw m.error(
                "quantity", "must be one of \(Quantity.allCases.map(\.name).joined(separator: ", ")), not '\(qName)'")
        }
        let location: SensorLocation
        if let pipe = try m.string("pipe") {
            if m.has("node") { throw m.error("node", "give pipe or node, not both") }
            location = .pipe(id: pipe, positionM: try m.requiredDouble("position_m"))
        } else if let node = try m.string("node") {
            location = .node(id: node)
        } else {
            throw m.error("pipe", "a sensor needs pipe (with position_m) or node")
        }
        let conditions = try m.string("conditions") ?? "line"
        guard conditions == "line" || conditions == "standard" else {
            throw m.error("conditions", "must be line or standard, not '\(conditions)'")
        }
        let sensor = Sensor(
            id: id, quantity: quantity, location: location, stationId: try m.string("station"),
            sampleRateHz: try m.positive("sample_rate_hz") ?? 1,
            noiseStdDev: try m.positive("noise_std", allowZero: true) ?? 0,
            bias: try m.double("bias") ?? 0,
            quantization: try m.positive("quantization", allowZero: true) ?? 0,
            initialTotal: try m.double("initial_total") ?? 0,
            nominalDifferentialPa: try m.positive("nominal_differential_pa", allowZero: true) ?? 0,
            standardConditions: conditions == "standard")
        try m.finish()
        return sensor
    }

    static func parseLeak(
        _ m: inout YAMLMapping, lines: inout ElementLines, leakNumber: Int
    ) throws(ScenarioError) -> LeakRequest {
        m.element = "L\(leakNumber)"
        lines.record("L\(leakNumber)", m)
        let location: LeakRequest.Location
        if let pipe = try m.string("pipe") {
            location = .pipe(id: pipe, positionM: try m.requiredDouble("position_m"))
        } else if let line = try m.string("line") {
            location = .line(id: line, chainageM: try m.requiredDouble("chainage_m"))
        } else {
            throw m.error("pipe", "a leak needs pipe (with position_m) or line (with chainage_m)")
        }
        let size: LeakRequest.Size
        if let a = try m.positive("effective_area_m2") {
            size = .effectiveAreaM2(a)
        } else if let f = try m.positive("size_fraction") {
            size = .fractionOfNominalFlow(f)
        } else {
            throw m.error("effective_area_m2", "a leak needs effective_area_m2 or size_fraction")
        }
        // Refused rather than recorded: a leak's size is its effective area Cd·A (given, or
        // resolved from size_fraction), so a separate Cd would change nothing.
        if try m.double("discharge_coefficient") != nil {
            throw m.error(
                "discharge_coefficient",
                "is not part of the format: a leak's size is its effective area Cd·A; give effective_area_m2 = Cd·A (m²) or size_fraction"
            )
        }
        let leak = LeakRequest(
            location: location, size: size, startS: try m.positive("start_s", allowZero: true) ?? 0,
            rampS: try m.positive("ramp_s", allowZero: true) ?? 0,
            source: "scenario", clearS: try m.positive("clear_s", allowZero: true))
        try m.finish()
        return leak
    }

    static func parseAutopilot(_ m: inout YAMLMapping) throws(ScenarioError) -> AutopilotConfig {
        var a = AutopilotConfig()
        a.enabled = try m.bool("enabled") ?? false
        a.leaksPerDay = try m.positive("leaks_per_day", allowZero: true) ?? a.leaksPerDay
        if let h = try m.doubles("hourly_risk") {
            guard h.count == 24, h.allSatisfy({ $0 >= 0 }) else {
                throw m.error("hourly_risk", "needs 24 non-negative values")
            }
            a.hourlyRisk = h
        }
        a.sizeFractionMin = try m.positive("size_fraction_min") ?? a.sizeFractionMin
        a.sizeFractionMax = try m.positive("size_fraction_max") ?? a.sizeFractionMax
        if a.sizeFractionMax < a.sizeFractionMin { throw m.error("size_fraction_max", "must be ≥ size_fraction_min") }
        a.durationMinS = try m.positive("duration_min_s") ?? a.durationMinS
        a.durationMaxS = try m.positive("duration_max_s") ?? a.durationMaxS
        if a.durationMaxS < a.durationMinS { throw m.error("duration_max_s", "must be ≥ duration_min_s") }
        a.rampMaxS = try m.positive("ramp_max_s", allowZero: true) ?? a.rampMaxS
        a.checkIntervalS = try m.positive("check_interval_s") ?? a.checkIntervalS
        if let c = try m.positive("max_concurrent") { a.maxConcurrent = Int(c) }
        try m.finish()
        return a
    }
}

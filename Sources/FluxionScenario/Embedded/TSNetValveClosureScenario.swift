extension EmbeddedScenarios {
    /// TSNet's reservoir–pipe–valve reference line (shared/reference/tsnet-valve-closure):
    /// the same grid (Δt = 1/240 s, Δx = 5 m), g = 9.8, Darcy f = 0.020.
    static let tsnetValveClosure = #"""
        name: tsnet-valve-closure
        description: >-
          Reservoir (100 m) - 1000 m pipe, D 0.5 m, a 1200 m/s, f 0.020 - valve passing
          0.2 m3/s that closes linearly from t = 1 s over 0.5 s (TSNet 0.3.1 reference case).
        duration_s: 10
        fluid:
          kind: liquid
          density_kg_m3: 1000
          gravity_m_s2: 9.8
        solver:
          time_step_s: 0.004166666666666667
        nodes:
          - {id: R1, kind: reservoir, head_m: 100, x_m: 0, y_m: 0}
          - {id: J500, kind: junction, x_m: 500, y_m: 0}
          - id: J1000
            kind: valve
            law: prescribed_flow
            open_flow: 0.2
            closure: {start_s: 1.0, duration_s: 0.5, final_open_fraction: 0, exponent: 1}
            x_m: 1000
            y_m: 0
        pipes:
          - {id: P1, from: R1, to: J500, length_m: 500, diameter_m: 0.5, darcy_f: 0.020, wave_speed_m_s: 1200}
          - {id: P2, from: J500, to: J1000, length_m: 500, diameter_m: 0.5, darcy_f: 0.020, wave_speed_m_s: 1200}
        lines:
          - {id: main, pipes: [P1, P2]}
        sensors:
          - {id: H-valve, quantity: head, node: J1000, sample_rate_hz: 240}
          - {id: H-mid, quantity: head, node: J500, sample_rate_hz: 240}
          - {id: PT-valve, quantity: pressure, node: J1000, sample_rate_hz: 240}
          - {id: FT-valve, quantity: flow, pipe: P2, position_m: 500, sample_rate_hz: 240}
        """#

    /// A water main with a leak that opens at 20 s and is cleared at 80 s.
    static let waterMainLeak = #"""
        name: water-main-leak
        description: >-
          A 6 km steel water main from a reservoir to a town demand with a branch; a 1 %
          leak opens at 4.2 km on t = 20 s (2 s ramp) and is cleared at t = 80 s.
        duration_s: 120
        fluid: {kind: liquid}
        solver: {max_reach_length_m: 20}
        nodes:
          - {id: RES, kind: reservoir, head_m: 95, elevation_m: 40, x_m: 0, y_m: 0}
          - {id: J1, kind: junction, elevation_m: 25, x_m: 3000, y_m: 0}
          - {id: TOWN, kind: demand, flow: 0.18, elevation_m: 10, x_m: 6000, y_m: 0}
          - {id: FARM, kind: demand, flow: 0.04, elevation_m: 20, x_m: 3000, y_m: 1500}
        pipes:
          - {id: M1, from: RES, to: J1, length_m: 3000, diameter_m: 0.5, roughness_m: 0.0001, wall: {young_modulus_pa: 2.07e11, thickness_m: 0.008}}
          - {id: M2, from: J1, to: TOWN, length_m: 3000, diameter_m: 0.45, roughness_m: 0.0001, wall: {young_modulus_pa: 2.07e11, thickness_m: 0.008}}
          - {id: B1, from: J1, to: FARM, length_m: 1500, diameter_m: 0.2, roughness_m: 0.0001, friction_formula: swamee_jain, wave_speed_m_s: 1100}
        lines:
          - {id: main, pipes: [M1, M2]}
        sensors:
          - {id: PT-0500, quantity: pressure, pipe: M1, position_m: 500, sample_rate_hz: 10, noise_std: 200, quantization: 10}
          - {id: PT-2500, quantity: pressure, pipe: M1, position_m: 2500, sample_rate_hz: 10, noise_std: 200, quantization: 10}
          - {id: PT-4500, quantity: pressure, pipe: M2, position_m: 1500, sample_rate_hz: 10, noise_std: 200, quantization: 10}
          - {id: PT-5900, quantity: pressure, pipe: M2, position_m: 2900, sample_rate_hz: 10, noise_std: 200, quantization: 10}
          - {id: FT-in, quantity: flow, pipe: M1, position_m: 0, sample_rate_hz: 1, noise_std: 0.0005}
          - {id: FT-town, quantity: flow, node: TOWN, sample_rate_hz: 1, noise_std: 0.0005}
          - {id: FT-farm, quantity: flow, node: FARM, sample_rate_hz: 1, noise_std: 0.0002}
          - {id: TT-in, quantity: temperature, pipe: M1, position_m: 0, sample_rate_hz: 0.1, noise_std: 0.05}
        leaks:
          - {line: main, chainage_m: 4200, size_fraction: 0.01, start_s: 20, ramp_s: 2, clear_s: 80}
        """#
}

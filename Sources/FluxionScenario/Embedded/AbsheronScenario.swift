extension EmbeddedScenarios {
    /// The default scenario: the Absheron regional gas network (docs/SCENARIOS.md).
    static let absheron = #"""
        name: absheron
        description: >-
          Regional natural-gas network on the Absheron peninsula: a supply source feeding a
          trunk line past the Sumqayit, Mardakan and Turkan metering stations, each
          delivering about 12,500 Sm3/h to a city gate with a daily demand profile.
          Layout and parameters: docs/SCENARIOS.md, "absheron".
        duration_s: 86400
        fluid:
          kind: gas
          # Natural gas with base density 0.74 kg/m3 at 15 degC, 101.325 kPa: R = p/(rho*T).
          specific_gas_constant_j_kg_k: 475.19
          compressibility: 0.99
          temperature_k: 287.65
          dynamic_viscosity_pa_s: 1.1e-5
          heat_capacity_ratio: 1.31
          ambient_pressure_pa: 101325
          # Gas at pipe depth follows the ground: 13.0 degC at 03:00, 16.0 degC at 15:00.
          temperature_profile_c:
            hourly: [13.44, 13.2, 13.05, 13.0, 13.05, 13.2, 13.44, 13.75, 14.11, 14.5, 14.89, 15.25, 15.56, 15.8, 15.95, 16.0, 15.95, 15.8, 15.56, 15.25, 14.89, 14.5, 14.11, 13.75]
        solver:
          # 250 m reaches; every pipe length is a multiple, so no wave speed is adjusted.
          max_reach_length_m: 250
          wave_speed_tolerance: 0.001
        nodes:
          - {id: SRC, kind: source, pressure_pa: 500000, x_m: -24000, y_m: 27000}
          - {id: S_SUM, kind: junction, x_m: -16900, y_m: 20000}
          - id: CG_SUM
            kind: demand
            flow: 12500
            profile:
              hourly: [0.705, 0.624, 0.574, 0.554, 0.574, 0.685, 0.957, 1.259, 1.36, 1.229, 1.057, 0.987, 0.987, 0.967, 0.947, 0.967, 1.057, 1.229, 1.39, 1.46, 1.39, 1.209, 1.007, 0.826]
            x_m: -16500
            y_m: 19700
          - {id: S_MAR, kind: junction, x_m: 23700, y_m: 8900}
          - id: CG_MAR
            kind: demand
            flow: 12500
            profile:
              hourly: [0.705, 0.624, 0.574, 0.554, 0.574, 0.685, 0.957, 1.259, 1.36, 1.229, 1.057, 0.987, 0.987, 0.967, 0.947, 0.967, 1.057, 1.229, 1.39, 1.46, 1.39, 1.209, 1.007, 0.826]
            x_m: 24100
            y_m: 8600
          - {id: S_TUR, kind: junction, x_m: 29600, y_m: -5500}
          - id: CG_TUR
            kind: demand
            flow: 12500
            profile:
              hourly: [0.705, 0.624, 0.574, 0.554, 0.574, 0.685, 0.957, 1.259, 1.36, 1.229, 1.057, 0.987, 0.987, 0.967, 0.947, 0.967, 1.057, 1.229, 1.39, 1.46, 1.39, 1.209, 1.007, 0.826]
            x_m: 30000
            y_m: -5800
        pipes:
          - {id: T1, from: SRC, to: S_SUM, length_m: 10250, diameter_m: 0.8, roughness_m: 0.00005, geometry: [[-24000, 27000], [-20500, 23800], [-16900, 20000]]}
          - {id: T2, from: S_SUM, to: S_MAR, length_m: 43000, diameter_m: 0.8, roughness_m: 0.00005, geometry: [[-16900, 20000], [-5000, 16500], [8000, 13000], [23700, 8900]]}
          - {id: T3, from: S_MAR, to: S_TUR, length_m: 16500, diameter_m: 0.6, roughness_m: 0.00005, geometry: [[23700, 8900], [27500, 2000], [29600, -5500]]}
          - {id: M_SUM, from: S_SUM, to: CG_SUM, length_m: 500, diameter_m: 0.3, roughness_m: 0.00002, nominal_flow: 12500}
          - {id: M_MAR, from: S_MAR, to: CG_MAR, length_m: 500, diameter_m: 0.3, roughness_m: 0.00002, nominal_flow: 12500}
          - {id: M_TUR, from: S_TUR, to: CG_TUR, length_m: 500, diameter_m: 0.3, roughness_m: 0.00002, nominal_flow: 12500}
        stations:
          - {id: SUM, name: Sumqayit, node: S_SUM, risk_multiplier: 2.5}
          - {id: MAR, name: Mardakan, node: S_MAR, risk_multiplier: 1.0}
          - {id: TUR, name: Turkan, node: S_TUR, risk_multiplier: 1.0}
        lines:
          - {id: trunk, pipes: [T1, T2, T3]}
        sensors:
          # Line pressure transmitters for negative-pressure-wave leak localization.
          - {id: PT-T1-05, quantity: pressure, pipe: T1, position_m: 5000, sample_rate_hz: 1, noise_std: 150, quantization: 10}
          - {id: PT-T2-07, quantity: pressure, pipe: T2, position_m: 7000, sample_rate_hz: 1, noise_std: 150, quantization: 10}
          - {id: PT-T2-21, quantity: pressure, pipe: T2, position_m: 21500, sample_rate_hz: 1, noise_std: 150, quantization: 10}
          - {id: PT-T2-36, quantity: pressure, pipe: T2, position_m: 36000, sample_rate_hz: 1, noise_std: 150, quantization: 10}
          - {id: PT-T3-08, quantity: pressure, pipe: T3, position_m: 8000, sample_rate_hz: 1, noise_std: 150, quantization: 10}
          - {id: FT-SRC, quantity: flow, pipe: T1, position_m: 0, sample_rate_hz: 0.1, noise_std: 100}
          # Sumqayit metering station: meter run M_SUM to the city gate.
          - {id: SUM-PT, quantity: pressure, node: S_SUM, station: SUM, sample_rate_hz: 1, noise_std: 300, quantization: 10}
          - {id: SUM-DPT, quantity: differential_pressure, pipe: M_SUM, position_m: 250, station: SUM, sample_rate_hz: 0.1, noise_std: 40, quantization: 1, nominal_differential_pa: 12500}
          - {id: SUM-TT, quantity: temperature, node: S_SUM, station: SUM, sample_rate_hz: 0.1, noise_std: 0.05, quantization: 0.01}
          - {id: SUM-DT, quantity: density, pipe: M_SUM, position_m: 250, station: SUM, conditions: standard, sample_rate_hz: 0.1, noise_std: 0.0015, quantization: 0.0001}
          - {id: SUM-FT, quantity: flow, pipe: M_SUM, position_m: 250, station: SUM, sample_rate_hz: 0.1, noise_std: 40, quantization: 1}
          - {id: SUM-FQ, quantity: totalized_flow, pipe: M_SUM, position_m: 250, station: SUM, sample_rate_hz: 0.1, initial_total: 118000000, quantization: 1}
          # Mardakan metering station: meter run M_MAR to the city gate.
          - {id: MAR-PT, quantity: pressure, node: S_MAR, station: MAR, sample_rate_hz: 1, noise_std: 300, quantization: 10}
          - {id: MAR-DPT, quantity: differential_pressure, pipe: M_MAR, position_m: 250, station: MAR, sample_rate_hz: 0.1, noise_std: 40, quantization: 1, nominal_differential_pa: 12500}
          - {id: MAR-TT, quantity: temperature, node: S_MAR, station: MAR, sample_rate_hz: 0.1, noise_std: 0.05, quantization: 0.01}
          - {id: MAR-DT, quantity: density, pipe: M_MAR, position_m: 250, station: MAR, conditions: standard, sample_rate_hz: 0.1, noise_std: 0.0015, quantization: 0.0001}
          - {id: MAR-FT, quantity: flow, pipe: M_MAR, position_m: 250, station: MAR, sample_rate_hz: 0.1, noise_std: 40, quantization: 1}
          - {id: MAR-FQ, quantity: totalized_flow, pipe: M_MAR, position_m: 250, station: MAR, sample_rate_hz: 0.1, initial_total: 96400000, quantization: 1}
          # Turkan metering station: meter run M_TUR to the city gate.
          - {id: TUR-PT, quantity: pressure, node: S_TUR, station: TUR, sample_rate_hz: 1, noise_std: 300, quantization: 10}
          - {id: TUR-DPT, quantity: differential_pressure, pipe: M_TUR, position_m: 250, station: TUR, sample_rate_hz: 0.1, noise_std: 40, quantization: 1, nominal_differential_pa: 12500}
          - {id: TUR-TT, quantity: temperature, node: S_TUR, station: TUR, sample_rate_hz: 0.1, noise_std: 0.05, quantization: 0.01}
          - {id: TUR-DT, quantity: density, pipe: M_TUR, position_m: 250, station: TUR, conditions: standard, sample_rate_hz: 0.1, noise_std: 0.0015, quantization: 0.0001}
          - {id: TUR-FT, quantity: flow, pipe: M_TUR, position_m: 250, station: TUR, sample_rate_hz: 0.1, noise_std: 40, quantization: 1}
          - {id: TUR-FQ, quantity: totalized_flow, pipe: M_TUR, position_m: 250, station: TUR, sample_rate_hz: 0.1, initial_total: 73100000, quantization: 1}
        autopilot:
          enabled: false
          leaks_per_day: 2
          size_fraction_min: 0.01
          size_fraction_max: 0.05
          duration_min_s: 1800
          duration_max_s: 7200
          ramp_max_s: 60
          check_interval_s: 60
          max_concurrent: 1
          # Highest around midnight, lowest late morning (relative; normalized to mean 1).
          hourly_risk: [2.0, 1.8, 1.5, 1.2, 1.0, 0.8, 0.7, 0.6, 0.6, 0.6, 0.6, 0.7, 0.7, 0.7, 0.7, 0.8, 0.8, 0.9, 1.0, 1.1, 1.3, 1.5, 1.7, 1.9]
        """#
}

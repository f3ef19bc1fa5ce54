@testable import FluxionTwin

/// Small networks built in code for the validation tests.
enum Networks {
    /// TSNet's reservoir–pipe–valve line (shared/reference/tsnet-valve-closure).
    static func tsnetLine(closure: ValveClosure, darcy: Double = 0.020, g: Double = 9.8) -> Network {
        let water = Liquid(gravityMS2: g)
        return Network(
            fluid: .liquid(water),
            nodes: [
                Node(id: "R1", boundary: .reservoir(headM: 100)),
                Node(id: "J500"),
                Node(id: "J1000", boundary: .valve(Valve(law: .prescribedFlow(openFlow: 0.2), closure: closure))),
            ],
            pipes: [
                Pipe(
                    id: "P1", from: "R1", to: "J500", lengthM: 500, diameterM: 0.5,
                    friction: .darcy(darcy), waveSpeed: .given(1200)),
                Pipe(
                    id: "P2", from: "J500", to: "J1000", lengthM: 500, diameterM: 0.5,
                    friction: .darcy(darcy), waveSpeed: .given(1200)),
            ])
    }
}

extension Networks {
    /// Reservoir (head 100 m) — one pipe — valve, water with g = 9.81.
    static func reservoirPipeValve(
        lengthM: Double = 1000, diameterM: Double = 0.5, waveSpeed: Double = 1000,
        darcy: Double, flow: Double, closure: ValveClosure
    ) -> Network {
        Network(
            fluid: .liquid(.water),
            nodes: [
                Node(id: "R", boundary: .reservoir(headM: 100)),
                Node(id: "V", boundary: .valve(Valve(law: .prescribedFlow(openFlow: flow), closure: closure))),
            ],
            pipes: [
                Pipe(
                    id: "P", from: "R", to: "V", lengthM: lengthM, diameterM: diameterM,
                    friction: .darcy(darcy), waveSpeed: .given(waveSpeed))
            ])
    }

    /// A branched water network: reservoir, a three-pipe junction, a demand and a
    /// valve that closes, with wall roughness (Colebrook).
    static func branched(closure: ValveClosure) -> Network {
        Network(
            fluid: .liquid(.water),
            nodes: [
                Node(id: "R", boundary: .reservoir(headM: 80), elevationM: 10),
                Node(id: "J", elevationM: 5),
                Node(id: "D", boundary: .demand(Demand(baseFlow: 0.05)), elevationM: 0),
                Node(
                    id: "V", boundary: .valve(Valve(law: .prescribedFlow(openFlow: 0.08), closure: closure)),
                    elevationM: 2),
            ],
            pipes: [
                Pipe(
                    id: "P1", from: "R", to: "J", lengthM: 1200, diameterM: 0.4,
                    friction: .roughness(meters: 1e-4, formula: .colebrook), waveSpeed: .given(1100)),
                Pipe(
                    id: "P2", from: "J", to: "D", lengthM: 800, diameterM: 0.3,
                    friction: .roughness(meters: 1e-4, formula: .swameeJain), waveSpeed: .given(1050)),
                Pipe(
                    id: "P3", from: "J", to: "V", lengthM: 650, diameterM: 0.3,
                    friction: .darcy(0.018), waveSpeed: .given(1000)),
            ])
    }
}

extension Networks {
    /// Natural gas with base density 0.74 kg/m³ (R = 475.19 J/(kg·K)), Z = 0.99, 15 °C.
    static let naturalGas = Gas(specificGasConstantJKgK: 475.19, compressibility: 0.99, referenceTemperatureK: 288.15)

    /// Gas source — one pipe — delivery of `flowSm3h`.
    static func gasLine(
        sourcePa: Double, lengthM: Double = 20_000, diameterM: Double = 0.5,
        flowSm3h: Double, roughnessM: Double = 2e-5
    ) -> Network {
        Network(
            fluid: .gas(naturalGas),
            nodes: [
                Node(id: "S", boundary: .pressureSource(pressurePa: sourcePa)),
                Node(id: "D", boundary: .demand(Demand(baseFlow: flowSm3h))),
            ],
            pipes: [
                Pipe(
                    id: "G", from: "S", to: "D", lengthM: lengthM, diameterM: diameterM,
                    friction: .roughness(meters: roughnessM, formula: .colebrook),
                    waveSpeed: .fromWall(youngModulusPa: 2e11, thicknessM: 0.01, restraintFactor: 1))
            ])
    }
}

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
                Pipe(id: "P1", from: "R1", to: "J500", lengthM: 500, diameterM: 0.5,
                     friction: .darcy(darcy), waveSpeed: .given(1200)),
                Pipe(id: "P2", from: "J500", to: "J1000", lengthM: 500, diameterM: 0.5,
                     friction: .darcy(darcy), waveSpeed: .given(1200)),
            ])
    }
}

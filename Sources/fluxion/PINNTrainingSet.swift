import FluxionDetectorKit
import FluxionDetectors
import FluxionPINN
import Foundation

/// The PINN trainer's input (Plugins/PINN/trainer/train.py): the detector's input vectors for
/// every case of a dataset, formed by `PINNFeatures` exactly as the plugin forms them, with
/// their labels and the geometry the physics terms need.
///
/// Files: `x.npy` (vectors × inputs, float32), `y.npy` (vectors × 4: leak open 0/1, position of
/// the case's first leak on the line coordinate 0…1, its current outflow over its pipe's
/// nominal flow, time since its onset in s; 0 where no leak is open), `case.npy` (the case of
/// each vector, float64), `meta.json`.
struct PINNTrainingSet {
    var x: [Float] = []
    var y: [Float] = []
    var caseOf: [Double] = []
    var meta: [String: Any] = [:]
    let dimension: Int

    init(dataset: Dataset, network: NetworkDescription, config: PINNFeatures.Config, stride: Int) throws {
        dimension = config.dimension
        let line = network.lineCoordinate()
        let start = Dictionary(line.pipes.map { ($0.id, $0.startM) }, uniquingKeysWith: { a, _ in a })
        let m = dataset.manifest
        let n = m.samplesPerCase, s = m.sensors.count
        for c in m.cases {
            var features = PINNFeatures(config: config, network: network)
            let leak = c.leaks.first
            let u = leak.flatMap { l in start[l.pipeID].map { ($0 + l.positionM) / line.lengthM } } ?? 0
            var block = 0
            for r in 0..<n {
                let base = (c.index * n + r) * s
                let values = (0..<s).map { Float(dataset.series.values[base + $0]) }
                // A sample with a channel missing is skipped, as the plugin skips it online.
                guard let row = features.row(fromSensorValues: values) else { continue }
                guard let vector = features.addRow(row) else { continue }
                block += 1
                guard block % stride == 0 else { continue }
                let open = dataset.leakOpen.values[c.index * n + r] > 0
                let t = dataset.time.values[c.index * n + r]
                x += vector.map { Float($0) }
                let size = leak.map { dataset.leakFlow.values[c.index * n + r] / max($0.pipeNominalFlow, 1e-12) } ?? 0
                y +=
                    open
                    ? [1, Float(u), Float(size), Float(t - (leak?.onsetS ?? t))]
                    : [0, 0, 0, 0]
                caseOf.append(Double(c.index))
            }
        }
        guard !caseOf.isEmpty else {
            throw CLIError(
                "the dataset gives no input vector (windows too short for the detector's \(config.historyS) s of history?)"
            )
        }
        // Where each pressure sensor sits on the line coordinate (nil: off the lines).
        let pipes = Dictionary(network.pipes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let positions = network.lineCoordinates(ofSensors: config.pressureSensors).map {
            $0.map { $0 / line.lengthM }
        }
        let linePipes = line.pipes.compactMap { pipes[$0.id] }
        let waveSpeed = linePipes.reduce(0) { $0 + $1.waveSpeedMPerS * $1.lengthM } / line.lengthM
        meta = [
            "inputs": config.dimension, "channels": config.channels, "blocks": config.blocks,
            "block_s": config.blockS, "pressure_channels": config.pressureSensors.count,
            "pressure_positions": positions.map { $0 ?? -1 }, "line_length_m": line.lengthM,
            "wave_speed_m_per_s": waveSpeed, "nominal_flow": linePipes.map(\.nominalFlow).max() ?? 1,
            "is_gas": network.isGas, "pack_rate_to_flow": network.isGas ? 3600.0 : 1.0,
            // The line's pipes, in order: where each ends (0…1 of the line) and its nominal flow,
            // to turn a predicted size fraction at a predicted position into an outflow.
            "line_pipe_ends": line.pipes.map { ($0.startM + $0.lengthM) / line.lengthM },
            "line_pipe_nominal_flows": line.pipes.map { pipes[$0.id]?.nominalFlow ?? 1 },
            "vectors": caseOf.count, "cases": m.cases.count, "long_blocks": config.longBlocks,
            "long_block_s": config.longBlockS, "long_offset": config.channels * config.blocks,
        ]
    }

    func write(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let count = caseOf.count
        let xs = try NumpyArrayFile(path: directory + "/x.npy", element: .float32, shape: [count, dimension])
        try xs.write(x, atElement: 0)
        let ys = try NumpyArrayFile(path: directory + "/y.npy", element: .float32, shape: [count, 4])
        try ys.write(y, atElement: 0)
        let cs = try NumpyArrayFile(path: directory + "/case.npy", element: .float64, shape: [count])
        try cs.write(caseOf, atElement: 0)
        let data = try JSONSerialization.data(withJSONObject: meta, options: [.sortedKeys, .prettyPrinted])
        try data.write(to: URL(fileURLWithPath: directory + "/meta.json"))
    }
}

extension NetworkDescription {
    /// Line pack per pascal attributed to each sensor: each pipe's volume shared among the
    /// pressure sensors on it or at its end nodes (pipes without any: among all pressure
    /// sensors); 0 for other sensors. Gas: m³ (× p/p_std/Z gives standard m³); liquid: m³ per
    /// Pa, V/(ρ·a²) (the volume stored by compressing the liquid and stretching the pipe).
    /// - Parameter liquidDensity: ρ of a liquid network, kg/m³ (unused for gas).
    /// - Returns: one weight per element of `sensors`, in the same order.
    public func linePackWeights(liquidDensity: Double = 1000) -> [Double] {
        var w = [Double](repeating: 0, count: sensors.count)
        let pressure = sensors.indices.filter { sensors[$0].quantity == "pressure" }
        guard !pressure.isEmpty else { return w }
        for p in pipes {
            var volume = Double.pi * p.diameterM * p.diameterM / 4 * p.lengthM
            if !isGas { volume /= liquidDensity * p.waveSpeedMPerS * p.waveSpeedMPerS }
            let on = pressure.filter { i in
                let s = sensors[i]
                return s.pipeID == p.id || s.nodeID == p.fromNode || s.nodeID == p.toNode
            }
            let share = on.isEmpty ? pressure : on
            for i in share { w[i] += volume / Double(share.count) }
        }
        return w
    }
}

import FluxionTwin
import FluxionWire

/// Which sensors a StreamReadings call wants, resolved once against the scenario's sensors.
///
/// Each non-empty list of the request narrows the selection (a sensor must match every
/// non-empty list, and any one value within a list). Unknown names are refused with
/// INVALID_ARGUMENT naming the field and the value, so a typo does not silently stream nothing.
struct ReadingFilter: Hashable {
    /// `wanted[i]`: sensor i passes.
    let wanted: [Bool]

    init(
        _ request: Wire.StreamReadingsRequest, sensors: [Topology.SensorInfo], stationIDs: Set<String>,
        pipeIDs: Set<String>
    ) throws(RPCError) {
        let known = Set(sensors.map(\.id))
        for (i, id) in request.sensorIDs.enumerated() where !known.contains(id) {
            throw .invalidArgument("sensor_ids[\(i)]: unknown sensor '\(id)'")
        }
        for (i, id) in request.pipeIDs.enumerated() where !pipeIDs.contains(id) {
            throw .invalidArgument("pipe_ids[\(i)]: unknown pipe '\(id)'")
        }
        for (i, id) in request.stationIDs.enumerated() where !stationIDs.contains(id) {
            throw .invalidArgument("station_ids[\(i)]: unknown station '\(id)'")
        }
        for (i, q) in request.quantities.enumerated() where q == .unspecified {
            throw .invalidArgument("quantities[\(i)]: unknown or unspecified quantity")
        }
        let rate = request.maxRateHz
        guard rate == 0 || ClientLimits.maxRateHz.contains(rate) else {
            throw .invalidArgument(
                "max_rate_hz: must be 0 (no limit) or \(ClientLimits.maxRateHz.lowerBound)…\(ClientLimits.maxRateHz.upperBound) Hz, got \(rate)"
            )
        }
        let sensorSet = Set(request.sensorIDs), pipeSet = Set(request.pipeIDs)
        let stationSet = Set(request.stationIDs), quantitySet = Set(request.quantities)
        wanted = sensors.map { s in
            (sensorSet.isEmpty || sensorSet.contains(s.id))
                && (pipeSet.isEmpty || s.pipeId.map(pipeSet.contains) == true)
                && (stationSet.isEmpty || s.stationId.map(stationSet.contains) == true)
                && (quantitySet.isEmpty || quantitySet.contains(Wire.Quantity(s.quantity)))
        }
    }

    func passes(_ sensorIndex: Int) -> Bool {
        sensorIndex >= 0 && sensorIndex < wanted.count && wanted[sensorIndex]
    }
}

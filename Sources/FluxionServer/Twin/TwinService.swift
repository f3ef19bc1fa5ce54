import FluxionTwin
import FluxionWire
import Logging

/// Serves the live twin: StreamReadings, InjectLeak, ClearLeak, ListLeaks, GetTopology,
/// GetClock, SetClock and SetSensorFault. Loop thread only (the physics runs in `TwinHost`).
public final class TwinService {
    public let host: TwinHost
    public let scenarioName: String
    let fanout: ReadingFanout
    private let topology: FluxionTwin.Topology
    private let wireTopology: Wire.Topology
    private let stationIDs: Set<String>
    private let pipeIDs: Set<String>
    private var logger: Logger
    private weak var server: Server?
    /// Simulated time of the newest delivered tick, s.
    public private(set) var simTimeS: Double
    /// Every leak appearance and clearance, in order, with both clocks.
    public private(set) var leakEvents: [LeakEvent] = []
    private var leakWallTimes: [String: (created: Int64, cleared: Int64)] = [:]
    /// Asked after a leak is injected (loop thread): what will not see it as it should; `reply`
    /// runs on the loop thread. Set by the detector service.
    public var leakWarnings: ((@escaping @Sendable ([String]) -> Void) -> Void)?
    /// Called with each delivery after the streams have been fed (detectors hook in here).
    public var onDelivery: [(TwinDeliveryView) -> Void] = []
    /// Field data (`fluxiond --source mqtt://…`): readings come from a broker, the physics does
    /// not run (the host stays paused), and the calls that act on the physics are refused.
    public private(set) var field: FieldIngest?

    public init(
        simulation: Simulation, speed: Double, freeRunning: Bool, paused: Bool = false,
        server: Server, stallTimeoutMs: Int = 10_000
    ) {
        scenarioName = simulation.scenario.name
        topology = simulation.topology
        wireTopology = Wire.Topology(
            topology, scenario: simulation.scenario.name,
            fluid: topology.isGas ? "natural_gas" : "liquid")
        stationIDs = Set(topology.stations.map(\.id))
        pipeIDs = Set(topology.pipes.map(\.id))
        simTimeS = simulation.timeS
        logger = server.logger
        fanout = ReadingFanout(stallTimeoutMs: stallTimeoutMs, logger: server.logger)
        let box = LoopBox()
        host = TwinHost(
            simulation: simulation, speed: speed, freeRunning: freeRunning, paused: paused,
            loop: server.loop
        ) { delivery in box.service?.received(delivery) }
        box.service = self
        self.server = server
        server.services.append(self)
        register(server.router)
        server.healthDetails = { [unowned self] in (self.simTimeS, self.scenarioName) }
        server.onShutdown.append { [unowned self] in
            fanout.endAll(.unavailable, "server is shutting down")
            host.stop()
        }
        for leak in simulation.leaks(includeCleared: true) {
            leakWallTimes[leak.id] = (wallUnixNs(), 0)
        }
    }

    public func start() {
        host.start()
        if let field {
            let box = LoopBox()
            box.service = self
            field.start(originSimS: simTimeS, loop: server!.loop) { delivery in box.service?.received(delivery) }
        }
    }

    /// Takes readings from `ingest` instead of the physics; call before `start`. The host must
    /// have been made paused (it then only answers the read-only calls).
    public func useField(_ ingest: FieldIngest) {
        field = ingest
        server?.onShutdown.append { ingest.stop() }
        server?.fieldCounters = { ingest.counters.named }
    }

    /// The calls that act on the physics, refused in field mode.
    private func requirePhysics(_ method: String) throws(RPCError) {
        guard field != nil else { return }
        throw RPCError(
            .failedPrecondition,
            "\(method): readings come from the field (--source \(field!.options.broker.host):\(field!.options.broker.port)); the twin's physics does not run, so leaks, sensor faults and the simulation clock cannot be changed"
        )
    }

    /// Runs `body` on the simulation before serving (the warm-up of `DetectorService`); the
    /// clock, the readings and the alerts then go on from where it left the simulation.
    public func beforeStart(_ body: (inout Simulation) -> Void) {
        var reached = simTimeS
        host.beforeStart { simulation in
            body(&simulation)
            reached = simulation.timeS
        }
        simTimeS = reached
    }

    func received(_ delivery: TwinDelivery) {
        simTimeS = delivery.simTimeS
        for t in delivery.restartsS {
            logger.error(
                "the twin's state became non-finite at t = \(t) s: every open leak was closed and the network restarted from its steady state"
            )
        }
        server?.coalescingWrites { fanout.publish(delivery.batches) }
        for event in delivery.leakEvents {
            leakEvents.append(event)
            var times = leakWallTimes[event.leak.id] ?? (event.wallTimeUnixNs, 0)
            if event.kind == .cleared { times.cleared = event.wallTimeUnixNs }
            leakWallTimes[event.leak.id] = times
            logger.info(
                "leak \(event.leak.id) \(event.kind.rawValue) on \(event.leak.pipeId) at \(event.leak.positionM.rounded()) m, t = \(event.simTimeS) s (\(event.leak.source))"
            )
        }
        let view = TwinDeliveryView(delivery: delivery)
        for hook in onDelivery { hook(view) }
    }

    private func wire(_ info: LeakInfo) -> Wire.Leak {
        let times = leakWallTimes[info.id] ?? (0, 0)
        return Wire.Leak(info, createdWallUnixNs: times.created, clearedWallUnixNs: times.cleared)
    }

    private func register(_ router: Router) {
        router.serverStreaming(Wire.Fluxion.streamReadings) {
            [unowned self] (request: Wire.StreamReadingsRequest, call) throws(RPCError) in
            let filter = try ReadingFilter(request, sensors: topology.sensors, stationIDs: stationIDs, pipeIDs: pipeIDs)
            fanout.add(call, filter: filter, request: request)
        }
        router.unary(Wire.Fluxion.getTopology) { [unowned self] (_: Wire.GetTopologyRequest, _) throws(RPCError) in
            wireTopology
        }
        // Work on the twin: `Router.unary(_:on:)`, the one way to finish work done off the loop.
        router.unary(Wire.Fluxion.injectLeak, on: host) { [unowned self] (r: Wire.InjectLeakRequest) throws(RPCError) in
            try requirePhysics("InjectLeak")
            let request = try r.leakRequest(source: "api")
            return { state throws(TwinError) in try state.simulation.injectLeak(request) }
        } failure: {
            $0.injectLeakRPCError
        } answerLater: { [unowned self] _, info, reply in
            leakWallTimes[info.id] = leakWallTimes[info.id] ?? (wallUnixNs(), 0)
            let leak = wire(info)
            guard let ask = leakWarnings else { return reply(.success(Wire.InjectLeakResponse(leak: leak))) }
            let reply = LoopBound(reply)
            ask { warnings in reply.value(.success(Wire.InjectLeakResponse(leak: leak, warnings: warnings))) }
        }
        router.unary(Wire.Fluxion.clearLeak, on: host) { [unowned self] (r: Wire.ClearLeakRequest) throws(RPCError) in
            try requirePhysics("ClearLeak")
            let id = r.leakID
            guard !id.isEmpty else { throw .invalidArgument("leak_id: must name a leak") }
            return { state throws(TwinError) in try state.simulation.clearLeak(id: id) }
        } answer: { [unowned self] _, info in
            var times = leakWallTimes[info.id] ?? (0, 0)
            if times.cleared == 0 { times.cleared = wallUnixNs() }
            leakWallTimes[info.id] = times
            return Wire.ClearLeakResponse(leak: wire(info))
        }
        router.unary(Wire.Fluxion.listLeaks, on: host) { (r: Wire.ListLeaksRequest) throws(RPCError) in
            let include = r.includeCleared
            return { state throws(TwinError) in state.simulation.leaks(includeCleared: include) }
        } answer: { [unowned self] _, leaks in
            Wire.ListLeaksResponse(leaks: leaks.map(wire))
        }
        router.unary(Wire.Fluxion.getClock, on: host) { (_: Wire.GetClockRequest) throws(RPCError) in
            { state throws(TwinError) in Self.clock(state) }
        } answer: { [unowned self] _, clock in
            // Field data: the readings' clock; the physics' own stays paused where the warm start left it.
            var clock = clock
            if field != nil { clock.simTimeS = simTimeS }
            return clock
        }
        router.unary(Wire.Fluxion.setClock, on: host) {
            [unowned self] (request: Wire.SetClockRequest) throws(RPCError) in
            try requirePhysics("SetClock")
            guard request.speed == 0 || ClientLimits.speed.contains(request.speed) else {
                throw .invalidArgument(
                    "speed: must be 0 (keep the current speed) or \(ClientLimits.speed.lowerBound)…\(ClientLimits.speed.upperBound), got \(request.speed)"
                )
            }
            return { state throws(TwinError) in
                if request.speed > 0 { state.clock.speed = request.speed }
                state.clock.paused = request.paused
                state.clock.freeRunning = request.freeRunning
                state.clock.reanchor(nowNs: monotonicNs(), simS: state.simulation.timeS)
                return Self.clock(state)
            }
        } answer: { _, clock in
            clock
        }
        router.unary(Wire.Fluxion.setSensorFault, on: host) {
            [unowned self] (request: Wire.SetSensorFaultRequest) throws(RPCError) in
            try requirePhysics("SetSensorFault")
            let fault = try SensorFault(request.fault)
            return { state throws(TwinError) in
                try state.simulation.setSensorFault(id: request.sensorID, fault: fault)
            }
        } answer: { _, _ in
            Wire.SetSensorFaultResponse()
        }
    }

    private static func clock(_ state: TwinHost.State) -> Wire.Clock {
        Wire.Clock(
            simTimeS: state.simulation.timeS, speed: state.clock.speed, paused: state.clock.paused,
            freeRunning: state.clock.freeRunning, tick: UInt64(state.simulation.solver.stepCount),
            timeStepS: state.simulation.timeStepS)
    }
}

/// What detectors and other observers see of one hand-over from the twin.
public struct TwinDeliveryView: Sendable {
    let delivery: TwinDelivery
    public var simTimeS: Double { delivery.simTimeS }
    public var leakEvents: [LeakEvent] { delivery.leakEvents }
    /// Each tick's sim time and readings.
    public var ticks: [(simTimeS: Double, readings: [FluxionTwin.Reading])] {
        delivery.batches.map { ($0.simTimeS, $0.readings.map(\.reading)) }
    }
    /// Each tick's wall-clock time, Unix ns (field data: the block's device time).
    public var wallTimesUnixNs: [Int64] { delivery.batches.map(\.wallTimeUnixNs) }
}

private final class LoopBox: @unchecked Sendable {
    weak var service: TwinService?
}

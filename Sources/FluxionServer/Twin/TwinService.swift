import FluxionTwin
import FluxionWire
import Logging

/// Serves the live twin: StreamReadings, InjectLeak, ClearLeak, ListLeaks, GetTopology,
/// GetClock, SetClock and SetSensorFault. Loop thread only (the physics runs in `TwinHost`).
public final class TwinService {
    public let host: TwinHost
    public let scenarioName: String
    let fanout: ReadingFanout
    private let topology: Topology
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

    public func start() { host.start() }

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

    private func received(_ delivery: TwinDelivery) {
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
        router.register(Wire.Fluxion.injectLeak) { [unowned self] call, payload in
            let request: LeakRequest
            do throws(RPCError) {
                request = try decode(Wire.InjectLeakRequest.self, payload).leakRequest(source: "api")
            } catch {
                call.finish(error.code, error.message)
                return
            }
            let bound = LoopBound(call), me = LoopBound(self)
            host.perform({ state throws(TwinError) in try state.simulation.injectLeak(request) }) { result in
                switch result {
                case .success(let info):
                    me.value.leakWallTimes[info.id] = me.value.leakWallTimes[info.id] ?? (wallUnixNs(), 0)
                    let leak = me.value.wire(info)
                    guard let ask = me.value.leakWarnings else {
                        return bound.value.finish(.ok, payload: Wire.InjectLeakResponse(leak: leak).encoded())
                    }
                    ask { warnings in
                        bound.value.finish(
                            .ok, payload: Wire.InjectLeakResponse(leak: leak, warnings: warnings).encoded())
                    }
                case .failure(let error):
                    let e = error.injectLeakRPCError
                    bound.value.finish(e.code, e.message)
                }
            }
        }
        router.register(Wire.Fluxion.clearLeak) { [unowned self] call, payload in
            let id: String
            do throws(RPCError) { id = try decode(Wire.ClearLeakRequest.self, payload).leakID } catch {
                call.finish(error.code, error.message)
                return
            }
            guard !id.isEmpty else { return call.finish(.invalidArgument, "leak_id: must name a leak") }
            let bound = LoopBound(call), me = LoopBound(self)
            host.perform({ state throws(TwinError) in try state.simulation.clearLeak(id: id) }) { result in
                switch result {
                case .success(let info):
                    var times = me.value.leakWallTimes[info.id] ?? (0, 0)
                    if times.cleared == 0 { times.cleared = wallUnixNs() }
                    me.value.leakWallTimes[info.id] = times
                    bound.value.finish(.ok, payload: Wire.ClearLeakResponse(leak: me.value.wire(info)).encoded())
                case .failure(let error):
                    bound.value.finish(error.rpcError.code, error.rpcError.message)
                }
            }
        }
        router.register(Wire.Fluxion.listLeaks) { [unowned self] call, payload in
            let include: Bool
            do throws(RPCError) { include = try decode(Wire.ListLeaksRequest.self, payload).includeCleared } catch {
                call.finish(error.code, error.message)
                return
            }
            let bound = LoopBound(call), me = LoopBound(self)
            host.perform({ state throws(TwinError) in state.simulation.leaks(includeCleared: include) }) { result in
                let leaks = (try? result.get()) ?? []
                bound.value.finish(.ok, payload: Wire.ListLeaksResponse(leaks: leaks.map(me.value.wire)).encoded())
            }
        }
        router.register(Wire.Fluxion.getClock) { [unowned self] call, payload in
            do throws(RPCError) { _ = try decode(Wire.GetClockRequest.self, payload) } catch {
                call.finish(error.code, error.message)
                return
            }
            let bound = LoopBound(call)
            host.perform({ state throws(TwinError) in Self.clock(state) }) { result in
                if case .success(let clock) = result { bound.value.finish(.ok, payload: clock.encoded()) }
            }
        }
        router.register(Wire.Fluxion.setClock) { [unowned self] call, payload in
            let request: Wire.SetClockRequest
            do throws(RPCError) { request = try decode(Wire.SetClockRequest.self, payload) } catch {
                call.finish(error.code, error.message)
                return
            }
            guard request.speed == 0 || ClientLimits.speed.contains(request.speed) else {
                return call.finish(
                    .invalidArgument,
                    "speed: must be 0 (keep the current speed) or \(ClientLimits.speed.lowerBound)…\(ClientLimits.speed.upperBound), got \(request.speed)"
                )
            }
            let bound = LoopBound(call)
            host.perform({ state throws(TwinError) in
                if request.speed > 0 { state.clock.speed = request.speed }
                state.clock.paused = request.paused
                state.clock.freeRunning = request.freeRunning
                state.clock.reanchor(nowNs: monotonicNs(), simS: state.simulation.timeS)
                return Self.clock(state)
            }) { result in
                if case .success(let clock) = result { bound.value.finish(.ok, payload: clock.encoded()) }
            }
        }
        router.register(Wire.Fluxion.setSensorFault) { [unowned self] call, payload in
            let request: Wire.SetSensorFaultRequest
            let fault: SensorFault
            do throws(RPCError) {
                request = try decode(Wire.SetSensorFaultRequest.self, payload)
                fault = try SensorFault(request.fault)
            } catch {
                call.finish(error.code, error.message)
                return
            }
            let bound = LoopBound(call)
            host.perform({ state throws(TwinError) in
                try state.simulation.setSensorFault(id: request.sensorID, fault: fault)
            }) { result in
                switch result {
                case .success: bound.value.finish(.ok, payload: Wire.SetSensorFaultResponse().encoded())
                case .failure(let e): bound.value.finish(e.rpcError.code, e.rpcError.message)
                }
            }
        }
    }

    private static func clock(_ state: TwinHost.State) -> Wire.Clock {
        Wire.Clock(
            simTimeS: state.simulation.timeS, speed: state.clock.speed, paused: state.clock.paused,
            freeRunning: state.clock.freeRunning, tick: UInt64(state.simulation.solver.stepCount),
            timeStepS: state.simulation.timeStepS)
    }

    private func decode<M: WireMessage>(_ type: M.Type, _ payload: [UInt8]) throws(RPCError) -> M {
        do { return try M(decoding: payload) } catch { throw error.rpcError }
    }
}

/// What detectors and other observers see of one hand-over from the twin.
public struct TwinDeliveryView: Sendable {
    let delivery: TwinDelivery
    public var simTimeS: Double { delivery.simTimeS }
    public var leakEvents: [LeakEvent] { delivery.leakEvents }
    /// Each tick's sim time and readings.
    public var ticks: [(simTimeS: Double, readings: [Reading])] {
        delivery.batches.map { ($0.simTimeS, $0.readings.map(\.reading)) }
    }
}

/// A loop-thread object carried through a closure that Swift must treat as Sendable; it is
/// only ever touched again on the loop thread (the completion runs there).
struct LoopBound<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

private final class LoopBox: @unchecked Sendable {
    weak var service: TwinService?
}

import FluxionDetectorKit
import FluxionDetectors
import FluxionTwin
import FluxionWire
import Logging

/// Serves ListDetectors, LoadDetector, ActivateDetector, DeactivateDetector and SwapDetector,
/// and runs the detectors on every tick of the live twin.
///
/// ```
///  loop thread: TwinService.onDelivery ──ticks──► DetectorManager queue ──► worker thread:
///                                                   every active detector, every tick
///  loop thread: onSignals hooks ◄── loop.execute ◄── [AlertSignal] ──────────┘
///  loop thread: RPC handler ── worker.perform(command) ──► worker (between two ticks)
///               call.finish ◄── loop.execute ◄── result ─────┘
/// ```
///
/// Loop thread only (its state and hooks); detector work runs on the manager's worker thread,
/// reached through `worker` (a `LoopWorker`: completions on the loop thread).
public final class DetectorService {
    /// The alert engine's input: called ON THE LOOP THREAD, in tick order, with the signals of
    /// one or more ticks (per tick, one `AlertSignal` per active detector that answered; a
    /// detector's `AlertSignal.detector` is its instance name). Never called with an empty array.
    public var onSignals: [([AlertSignal]) -> Void] = []
    /// Called on the loop thread when a detector fails while running (its output was refused);
    /// the detector is already marked failed and the others keep running.
    public var onDetectorFailure: [(DetectorError) -> Void] = []
    /// Called on the loop thread with the instance name when a detector stops watching
    /// (DeactivateDetector, or the deactivated side of SwapDetector): its open alert is closed.
    public var onDetectorRemoved: [(String) -> Void] = []
    public let manager: DetectorManager
    /// The manager as a `LoopWorker`: what RPCs and the twin use to run work on the detector host.
    public let worker: DetectorWorker
    public let pluginDirectory: String
    private var logger: Logger
    private let loop: EventLoop
    private let builder: TickBuilder

    /// Creates the service, registers its RPCs and attaches it to the twin's deliveries.
    /// - Parameters:
    ///   - network: what detectors are told about the twin (`NetworkDescription(simulation)`).
    ///   - pluginDirectory: plugins are `lib<name>.so` in this directory, nowhere else.
    /// - Parameters:
    ///   - modelFiles: where a detector's `model` key is looked up (fluxiond: `--models`);
    ///     the default refuses it.
    ///   - shippedModels: the models that come with the product, looked up after `modelFiles`.
    ///   - allowLinksOutside: follow symbolic links in the plugin directory that leave it.
    public init(
        twin: TwinService, network: NetworkDescription, pluginDirectory: String,
        modelFiles: DetectorHost.ModelFiles = .none, shippedModels: ConfinedDirectory? = nil,
        allowLinksOutside: Bool = false, server: Server, tickCapacity: Int = 65_536
    ) {
        self.pluginDirectory = pluginDirectory
        logger = server.logger
        let loop = server.loop
        self.loop = loop
        let box = ServiceBox()
        let host = DetectorHost(pluginDirectory: pluginDirectory, network: network)
        host.modelFiles = modelFiles
        host.shippedModels = shippedModels
        host.pluginFiles.allowLinksOutside = allowLinksOutside
        manager = DetectorManager(
            host: host, tickCapacity: tickCapacity,
            onFailure: { error in
                loop.execute { box.service?.failed(error) }
            },
            onSignals: { signals in
                loop.execute { box.service?.deliver(signals) }
            })
        worker = DetectorWorker(manager: manager, loop: loop)
        let builder = TickBuilder(network)
        self.builder = builder
        box.service = self
        let manager = self.manager
        twin.onDelivery.append { view in
            let ticks = view.ticks.map { builder.tick(simTimeS: $0.simTimeS, readings: $0.readings) }
            if !ticks.isEmpty { manager.submit(ticks) }
        }
        // InjectLeak says so when an active detector is still learning (it would learn the leak).
        let worker = self.worker
        twin.leakWarnings = { reply in
            do throws(WorkerStopped) {
                try worker.perform({ host in host.learningWarnings() }) { result in
                    switch result {
                    case .success(let warnings): reply(warnings)
                    case .failure(let error): reply(["could not ask the detectors whether they still learn: \(error)"])
                    }
                }
            } catch {
                reply(["could not ask the detectors whether they still learn: \(error)"])
            }
        }
        server.services.append(self)
        server.onShutdown.append { manager.stop() }
        register(server.router)
    }

    /// The same, describing `simulation`'s network to the detectors.
    public convenience init(
        twin: TwinService, simulation: Simulation, pluginDirectory: String,
        modelFiles: DetectorHost.ModelFiles = .none, shippedModels: ConfinedDirectory? = nil,
        allowLinksOutside: Bool = false, server: Server
    ) {
        self.init(
            twin: twin, network: NetworkDescription(simulation), pluginDirectory: pluginDirectory,
            modelFiles: modelFiles, shippedModels: shippedModels, allowLinksOutside: allowLinksOutside,
            server: server)
    }

    /// Loads and activates detectors before serving (fluxiond `--detector NAME`); waits.
    public func loadAndActivate(plugin: String) throws(DetectorError) {
        _ = try manager.performAndWait { (host: DetectorHost) throws(DetectorError) in
            try host.load(plugin: plugin)
            return try host.activate(plugin)
        }
        logger.info("detector \(plugin) loaded and active (plugins: \(pluginDirectory))")
    }

    /// Warm start: runs the twin through normal operation before serving, feeding every tick to
    /// the active detectors, until none of them is still learning, at most `maxS` simulated
    /// seconds, and never into a leak the scenario schedules (the history is normal operation;
    /// the autopilot is held meanwhile). The first leak a user injects then meets calibrated
    /// detectors. Returns the simulated seconds of history fed.
    public func warmUp(_ twin: TwinService, maxS: Double) -> Double {
        let manager = self.manager
        var fed = 0.0
        twin.beforeStart { simulation in
            let start = simulation.timeS
            let scheduled = simulation.leaks(includeCleared: false).map(\.startS).filter { $0 >= start }.min()
            // Stop a step short of the scheduled leak: the last step may pass `end` by less than one.
            let end = min(start + maxS, (scheduled ?? .infinity) - simulation.timeStepS)
            let autopilot = simulation.autopilotConfig.enabled
            simulation.setAutopilot(enabled: false)
            defer { simulation.setAutopilot(enabled: autopilot) }
            while simulation.timeS < end {
                let remaining = (try? manager.performAndWait { host in host.learningRemainingS }) ?? 0
                guard remaining > 0 else { break }
                // Chunks of at most 10 simulated minutes: the queue never drops a tick.
                let chunkEnd = min(simulation.timeS + min(remaining, 600), end)
                var ticks: [DetectorTick] = []
                simulation.advance(toTimeS: chunkEnd) { readings in
                    if let t = readings.first?.simTimeS { ticks.append(builder.tick(simTimeS: t, readings: readings)) }
                }
                manager.submit(ticks)
                manager.drain()
            }
            fed = simulation.timeS - start
        }
        return fed
    }

    private func deliver(_ signals: [AlertSignal]) {
        for hook in onSignals { hook(signals) }
    }

    private func failed(_ error: DetectorError) {
        logger.warning("\(error.description)")
        for hook in onDetectorFailure { hook(error) }
    }

    private func register(_ router: Router) {
        handle(router, Wire.Fluxion.listDetectors) { (_: Wire.ListDetectorsRequest, host) throws(DetectorError) in
            Wire.ListDetectorsResponse(detectors: host.list().map(Wire.DetectorInfo.init))
        }
        handle(router, Wire.Fluxion.loadDetector) { (r: Wire.LoadDetectorRequest, host) throws(DetectorError) in
            Wire.DetectorResponse(detectors: [
                Wire.DetectorInfo(try host.load(plugin: r.plugin, name: r.name, configJSON: r.configJSON))
            ])
        }
        handle(router, Wire.Fluxion.activateDetector) { (r: Wire.ActivateDetectorRequest, host) throws(DetectorError) in
            Wire.DetectorResponse(detectors: [Wire.DetectorInfo(try host.activate(r.name))])
        }
        handle(router, Wire.Fluxion.deactivateDetector, removes: { $0.name }) {
            (r: Wire.DeactivateDetectorRequest, host) throws(DetectorError) in
            Wire.DetectorResponse(detectors: [Wire.DetectorInfo(try host.deactivate(r.name))])
        }
        handle(router, Wire.Fluxion.swapDetector, removes: { $0.deactivate }) {
            (r: Wire.SwapDetectorRequest, host) throws(DetectorError) in
            Wire.DetectorResponse(
                detectors: try host.swap(deactivate: r.deactivate, activate: r.activate).map(Wire.DetectorInfo.init))
        }
    }

    /// A unary method whose work runs on the detector worker (between ticks) and whose call
    /// finishes on the loop thread: `Router.unary(_:on:)`, the one convention (`LoopWorker`).
    /// `removes` names the instance that stopped watching, for the `onDetectorRemoved` hooks.
    private func handle<Request: WireMessage, Response: WireMessage>(
        _ router: Router, _ method: MethodDescriptor, removes: (@Sendable (Request) -> String)? = nil,
        _ body: @escaping @Sendable (Request, DetectorHost) throws(DetectorError) -> Response
    ) {
        router.unary(method, on: worker) { (request: Request) throws(RPCError) in
            { host throws(DetectorError) in try body(request, host) }
        } answer: { [unowned self] request, response in
            if let name = removes?(request) { for hook in onDetectorRemoved { hook(name) } }
            return response
        }
    }
}

extension Wire.DetectorInfo {
    init(_ s: DetectorStatus) {
        let state: Wire.DetectorState =
            switch s.state {
            case .available: .available
            case .loaded: .loaded
            case .active: .active
            case .failed: .failed
            }
        self.init(
            name: s.name, plugin: s.plugin, version: s.version, description: s.summary, state: state,
            abiVersion: s.abiVersion, lastError: s.lastError, leakProbability: s.leakProbability,
            samplesSeen: s.samplesSeen, learningRemainingS: s.learningRemainingS)
    }
}

private final class ServiceBox: @unchecked Sendable {
    weak var service: DetectorService?
}

/// The detector manager's worker as a `LoopWorker`: work runs on the manager's thread between
/// two ticks, and its completion is handed to the loop thread.
public final class DetectorWorker: LoopWorker {
    public let manager: DetectorManager
    private let loop: EventLoop

    init(manager: DetectorManager, loop: EventLoop) {
        self.manager = manager
        self.loop = loop
    }

    public var workerName: String { "the detector host" }

    public func perform<T: Sendable>(
        _ body: @escaping @Sendable (inout DetectorHost) throws(DetectorError) -> T,
        completion: @escaping @Sendable (Result<T, DetectorError>) -> Void
    ) throws(WorkerStopped) {
        let loop = self.loop
        let queued = manager.perform({ (host: DetectorHost) throws(DetectorError) in
            var host = host
            return try body(&host)
        }) { result in
            loop.execute { completion(result) }
        }
        guard queued else { throw WorkerStopped(worker: workerName) }
    }
}

extension DetectorError: RPCStatusConvertible {}

import FluxionTwin
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a `Simulation` on its own thread, on a simulation clock, and hands each tick's readings
/// to the loop thread.
///
/// ```
///  loop thread ── perform(command) ──► command queue ──► twin thread: commands, then steps
///                                                          up to the clock's target time
///  loop thread ◄── loop.execute(deliver) ◄── batches, leak events ──┘
/// ```
///
/// The loop thread never waits for physics: commands are queued and answered on the loop thread
/// (`LoopWorker`: the one convention for work off the loop); the twin thread never runs more
/// than two hand-overs ahead of the loop (it waits), so a busy loop cannot make memory grow. All
/// state below the lock is touched only by the twin thread.
public final class TwinHost: LoopWorker, @unchecked Sendable {
    /// What commands see and may change.
    public struct State: Sendable {
        public var simulation: Simulation
        var clock: TwinClock
    }

    public let scenarioName: String
    public let timeStepS: Double
    private let loop: EventLoop
    private let deliver: @Sendable (TwinDelivery) -> Void
    private let lock = NSCondition()
    private var commands: [@Sendable (inout State) -> Void] = []
    private var running = true
    private var inFlight = 0
    private let maxInFlight = 2
    private let stopped = DispatchSemaphore(value: 0)
    private var started = false

    // Twin thread only.
    private var state: State
    private var sequence: UInt64 = 0
    private var knownLeaks: [String: LeakState] = [:]

    /// - Parameter deliver: runs on the loop thread with each hand-over.
    init(
        simulation: Simulation, speed: Double, freeRunning: Bool, paused: Bool = false,
        loop: EventLoop, deliver: @escaping @Sendable (TwinDelivery) -> Void
    ) {
        self.loop = loop
        self.deliver = deliver
        scenarioName = simulation.scenario.name
        timeStepS = simulation.timeStepS
        state = State(
            simulation: simulation,
            clock: TwinClock(
                speed: speed, paused: paused, freeRunning: freeRunning,
                nowNs: monotonicNs(), simS: simulation.timeS))
        for leak in simulation.leaks(includeCleared: true) { knownLeaks[leak.id] = leak.state }
    }

    /// Runs `body` on the simulation before `start()`, on the caller's thread (nothing else
    /// touches the state yet), then anchors the clock at the simulated time it reached: serving
    /// starts from the end of that history, at the configured speed.
    func beforeStart(_ body: (inout Simulation) -> Void) {
        precondition(!started, "beforeStart after start")
        body(&state.simulation)
        state.clock.reanchor(nowNs: monotonicNs(), simS: state.simulation.timeS)
        for leak in state.simulation.leaks(includeCleared: true) { knownLeaks[leak.id] = leak.state }
    }

    public func start() {
        started = true
        let thread = Thread { [self] in run() }
        thread.name = "fluxion-twin"
        thread.start()
    }

    public var workerName: String { "the twin" }

    /// Stops the twin thread and waits for it. Commands queued before run first (their
    /// completions are answered); later ones are refused with `WorkerStopped`.
    public func stop() {
        lock.lock()
        let wasRunning = running
        running = false
        lock.signal()
        lock.unlock()
        if wasRunning { stopped.wait() }
    }

    /// Runs `body` on the twin thread between steps; `completion` gets its result on the loop
    /// thread (`LoopWorker`).
    public func perform<T: Sendable>(
        _ body: @escaping @Sendable (inout State) throws(TwinError) -> T,
        completion: @escaping @Sendable (Result<T, TwinError>) -> Void
    ) throws(WorkerStopped) {
        let loop = self.loop
        let queued = enqueue { state in
            let result: Result<T, TwinError>
            do throws(TwinError) { result = .success(try body(&state)) } catch { result = .failure(error) }
            loop.execute { completion(result) }
        }
        guard queued else { throw WorkerStopped(worker: workerName) }
    }

    /// Queues a command; false (nothing queued) once the host has stopped.
    private func enqueue(_ command: @escaping @Sendable (inout State) -> Void) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard running else { return false }
        commands.append(command)
        lock.signal()
        return true
    }

    // MARK: The twin thread

    private func run() {
        while true {
            lock.lock()
            // Wait while there is nothing to do: paused, or too far ahead of the loop thread.
            while running, commands.isEmpty, state.clock.paused || inFlight >= maxInFlight {
                lock.wait()
            }
            if !running {
                // Commands queued before `stop` are answered, not dropped.
                let pending = commands
                commands.removeAll()
                lock.unlock()
                for command in pending { command(&state) }
                break
            }
            let pending = commands
            commands.removeAll()
            lock.unlock()

            for command in pending { command(&state) }
            if state.clock.paused { continue }
            lock.lock()
            let canStep = inFlight < maxInFlight
            lock.unlock()
            if !canStep { continue }

            let delivery = stepToTarget()
            if !delivery.batches.isEmpty || !delivery.leakEvents.isEmpty || !delivery.restartsS.isEmpty {
                lock.lock()
                inFlight += 1
                lock.unlock()
                let deliver = self.deliver
                loop.execute { [self] in
                    deliver(delivery)
                    lock.lock()
                    inFlight -= 1
                    lock.signal()
                    lock.unlock()
                }
            }
            if !state.clock.freeRunning { sleepUntilNextStep() }
        }
        stopped.signal()
    }

    /// Steps until the clock's target (at most ~5 ms of work, so commands stay responsive).
    private func stepToTarget() -> TwinDelivery {
        let start = monotonicNs()
        let target = state.clock.targetSimS(nowNs: start)
        let dt = state.simulation.timeStepS
        var batches: [TwinBatch] = []
        var steps = 0
        let restartsBefore = state.simulation.instabilities.count
        while state.simulation.timeS + dt <= target + 0.5 * dt {
            let readings = state.simulation.step()
            steps += 1
            if !readings.isEmpty {
                sequence += 1
                batches.append(
                    TwinBatch(
                        sequence: sequence, simTimeS: state.simulation.timeS, wallTimeUnixNs: wallUnixNs(),
                        readings: readings.map { ($0.sensorIndex, $0) }))
            }
            if steps & 63 == 0, monotonicNs() - start > 5_000_000 { break }
        }
        return TwinDelivery(
            batches: batches, leakEvents: steps > 0 ? leakChanges() : [], simTimeS: state.simulation.timeS,
            restartsS: Array(state.simulation.instabilities.dropFirst(restartsBefore)))
    }

    /// Leaks that appeared or cleared since the last look (API, scenario and autopilot alike).
    private func leakChanges() -> [LeakEvent] {
        var events: [LeakEvent] = []
        let now = wallUnixNs()
        for leak in state.simulation.leaks(includeCleared: true) {
            let before = knownLeaks[leak.id]
            if before == nil {
                events.append(
                    LeakEvent(kind: .injected, leak: leak, simTimeS: state.simulation.timeS, wallTimeUnixNs: now))
            }
            if leak.state == .cleared, before != .cleared {
                events.append(
                    LeakEvent(
                        kind: .cleared, leak: leak, simTimeS: leak.clearedS ?? state.simulation.timeS,
                        wallTimeUnixNs: now))
            }
            knownLeaks[leak.id] = leak.state
        }
        return events
    }

    private func sleepUntilNextStep() {
        let next = state.simulation.timeS + state.simulation.timeStepS
        let due = state.clock.wallNs(forSimS: next)
        let now = monotonicNs()
        guard due > now else { return }
        lock.lock()
        if running, commands.isEmpty {
            _ = lock.wait(until: Date(timeIntervalSinceNow: Double(due - now) / 1e9))
        }
        lock.unlock()
    }
}

func monotonicNs() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

func wallUnixNs() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

import FluxionDetectorKit
import Foundation
import Synchronization
import Testing

@testable import FluxionDetectors

/// Collects what the manager's worker thread reports.
private final class SignalLog: Sendable {
    private let signals = Mutex<[AlertSignal]>([])
    private let failures = Mutex<[DetectorError]>([])
    func add(_ s: [AlertSignal]) { signals.withLock { $0 += s } }
    func fail(_ e: DetectorError) { failures.withLock { $0.append(e) } }
    var all: [AlertSignal] { signals.withLock { $0 } }
    var failed: [DetectorError] { failures.withLock { $0 } }
}

@Suite struct DetectorManagerTests {
    /// A detector returning NaN is marked failed and dropped; the others keep running.
    @Test func nanDetectorIsIsolated() throws {
        let host = TestPlugins.host()
        try host.load(plugin: "FluxionTestNaN", name: "nan", configJSON: #"{"good_ticks": 3}"#)
        try host.load(plugin: "FluxionTestNaN", name: "steady", configJSON: #"{"good_ticks": 1000000}"#)
        try host.activate("nan")
        try host.activate("steady")
        var failures: [DetectorError] = []
        var perTick: [[String]] = []
        for t in 0..<10 {
            perTick.append(
                host.process(TestPlugins.steadyTick(Double(t)), onFailure: { failures.append($0) }).map(\.detector))
        }
        #expect(perTick.prefix(3).allSatisfy { $0 == ["nan", "steady"] })
        #expect(perTick.dropFirst(3).allSatisfy { $0 == ["steady"] })
        #expect(failures.count == 1)
        let nan = try host.status("nan")
        #expect(nan.state == .failed)
        #expect(nan.lastError.contains("probability is nan"))
        #expect(nan.ticksSeen == 4)
        #expect(try host.status("steady").ticksSeen == 10)
        #expect(throws: DetectorError.self) { try host.activate("nan") }
    }

    @Test func outOfRangeProbabilityIsRefused() {
        var e = fluxion_estimate_for_test(probability: 1.5)
        #expect(DetectorInstance.refusal(e, pipeCount: 2)?.contains("outside 0…1") == true)
        e = fluxion_estimate_for_test(probability: 0.5, pipe: 7)
        #expect(DetectorInstance.refusal(e, pipeCount: 2)?.contains("pipe index 7") == true)
        e = fluxion_estimate_for_test(probability: -0.0)
        #expect(DetectorInstance.refusal(e, pipeCount: 2) == nil)
        e = fluxion_estimate_for_test(probability: 0.2, position: .infinity)
        #expect(DetectorInstance.refusal(e, pipeCount: 2) != nil)
    }

    /// Swapping back and forth while another thread submits ticks: every tick is seen by exactly
    /// one of the two detectors, none twice, none lost.
    @Test func swapUnderLoadMissesNoTick() throws {
        let log = SignalLog()
        let host = TestPlugins.host()
        let manager = DetectorManager(host: host, tickCapacity: 100_000, onFailure: log.fail, onSignals: log.add)
        defer { manager.stop() }
        _ = try manager.performAndWait { (host: DetectorHost) throws(DetectorError) in
            try host.load(plugin: "FluxionTestNaN", name: "A", configJSON: #"{"good_ticks": 1000000000}"#)
            try host.load(plugin: "FluxionTestNaN", name: "B", configJSON: #"{"good_ticks": 1000000000}"#)
            return try host.activate("A")
        }
        let total = 20_000
        let producer = Thread {
            for batch in 0..<(total / 10) {
                manager.submit((0..<10).map { TestPlugins.steadyTick(Double(batch * 10 + $0)) })
            }
        }
        producer.start()
        var swaps = 0
        var active = "A"
        while log.all.count < total && swaps < 2000 {
            let next = active == "A" ? "B" : "A"
            let current = active
            _ = try manager.performAndWait { (host: DetectorHost) throws(DetectorError) in
                try host.swap(deactivate: current, activate: next)
            }
            active = next
            swaps += 1
        }
        while log.all.count < total { manager.drain() }
        manager.drain()
        let signals = log.all
        #expect(signals.count == total)
        #expect(signals.map(\.simTimeS) == (0..<total).map(Double.init))
        let a = try manager.performAndWait { (host: DetectorHost) throws(DetectorError) in
            try host.status("A").ticksSeen
        }
        let b = try manager.performAndWait { (host: DetectorHost) throws(DetectorError) in
            try host.status("B").ticksSeen
        }
        #expect(a + b == UInt64(total))
        #expect(swaps > 1)
        #expect(manager.ticksDropped == 0)
        #expect(log.failed.isEmpty)
    }

    @Test func fullQueueDropsOldestTicksAndCountsThem() throws {
        let log = SignalLog()
        let host = TestPlugins.host()
        let manager = DetectorManager(host: host, tickCapacity: 4, onSignals: log.add)
        defer { manager.stop() }
        // Hold the worker inside a command so ticks pile up behind it.
        let gate = DispatchSemaphore(value: 0)
        manager.perform(
            { (host: DetectorHost) throws(DetectorError) in
                gate.wait()
                try host.load(plugin: "FluxionTestNaN", name: "A", configJSON: #"{"good_ticks": 1000}"#)
                return try host.activate("A")
            }, completion: { _ in })
        manager.submit((0..<10).map { TestPlugins.steadyTick(Double($0)) })
        gate.signal()
        manager.drain()
        #expect(manager.ticksDropped == 6)
        #expect(log.all.map(\.simTimeS) == [6, 7, 8, 9])
    }
}

import FluxionAlerts
import FluxionClient
import FluxionDetectorKit
import FluxionScenario
import FluxionServer
import FluxionTwin
import FluxionWire
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The loop thread never waits for SQLite: another process holds the alert database's write
/// lock (a real `BEGIN EXCLUSIVE` in python3's sqlite3 module, on the real file) while alerts
/// are raised, and Health, StreamReadings and QueryAlerts keep flowing; the alerts are
/// published, in order, once the lock is gone. And a clean stop loses no alert still queued.
@Suite(.serialized) struct LoopNeverWaitsTests {
    /// A live twin (absheron at 10× real time: ~10 reading batches per second) and an
    /// AlertService whose holds are 0 s (one sample above 0.8 raises, one below 0.3 clears).
    static func server(_ directory: URL) throws -> InProcessServer {
        let simulation = try Simulation(scenario: try EmbeddedScenarios.load("absheron"), seed: 7)
        let sim = simulation
        let path = directory.path
        return try InProcessServer(configure: { server in
            let twin = TwinService(simulation: sim, speed: 10, freeRunning: false, server: server)
            var config = AlertEngine.Configuration()
            config.raiseHoldS = 0
            config.clearHoldS = 0
            do {
                _ = try AlertService(
                    server: server, store: try SQLiteAlertStore(directory: path), network: AlertServiceTests.network,
                    twin: twin, configuration: config)
            } catch {
                fatalError("alert store: \(error)")
            }
            twin.start()
        })
    }

    /// Feeds signals without waiting for them to be stored (as the detector host does).
    static func ingestLater(_ server: InProcessServer, _ signals: [AlertSignal]) {
        server.onLoop { s in s.services.compactMap { $0 as? AlertService }.first!.ingest(signals) }
    }

    static func monotonicS() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    @Test func healthAndReadingsKeepFlowingWhileAnotherProcessHoldsTheDatabaseLock() throws {
        let dir = try TemporaryDirectory()
        let server = try Self.server(dir.url)
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }
        let alerts = try conn.serverStream(
            Wire.Fluxion.streamAlerts, Wire.StreamAlertsRequest(), as: Wire.AlertEvent.self)
        for _ in 0..<500
        where server.onLoop({ s in s.services.compactMap { $0 as? AlertService }.first!.subscriberCount }) == 0 {
            usleep(10_000)
        }

        // Readings: the time of every batch, on a thread of its own.
        let readings = try conn.serverStream(
            Wire.Fluxion.streamReadings, Wire.StreamReadingsRequest(), as: Wire.ReadingBatch.self)
        let batchTimes = Mutex<[Double]>([])
        let readerDone = DispatchSemaphore(value: 0)
        Thread {
            while (try? readings.next()) != nil { batchTimes.withLock { $0.append(Self.monotonicS()) } }
            readerDone.signal()
        }.start()
        // Health: back to back, each call's start and latency, on another connection and thread.
        let healthConn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { healthConn.close() }
        let healthCalls = Mutex<[(start: Double, latency: Double)]>([])
        let stopHealth = Atomic(false)
        let healthDone = DispatchSemaphore(value: 0)
        Thread {
            while !stopHealth.load(ordering: .relaxed) {
                let start = Self.monotonicS()
                do {
                    let _: Wire.HealthResponse = try healthConn.unary(Wire.Fluxion.health, Wire.HealthRequest())
                } catch {
                    break
                }
                healthCalls.withLock { $0.append((start, Self.monotonicS() - start)) }
            }
            healthDone.signal()
        }.start()

        let holdS = 4.0
        let lock = try DatabaseLockHolder(
            path: dir.url.appendingPathComponent(SQLiteAlertStore.fileName).path, seconds: holdS)
        defer { lock.kill() }
        let lockedAt = Self.monotonicS()
        // Ten alerts raised and cleared while the lock is held, one ingest every 200 ms.
        for k in 0..<10 {
            Self.ingestLater(server, AlertServiceTests.signals(k..<(k + 1)))
            usleep(200_000)
        }
        // A query while the lock is held: answered from the WAL, without the pending alerts.
        let queryStart = Self.monotonicS()
        let page: Wire.QueryAlertsResponse = try conn.unary(Wire.Fluxion.queryAlerts, Wire.QueryAlertsRequest())
        let queryLatency = Self.monotonicS() - queryStart
        // Events come once the lock is gone: all of them, in order.
        var ids: [String] = []
        var firstEventAt: Double?
        while ids.count < 20, let event = try alerts.next() {
            if firstEventAt == nil { firstEventAt = Self.monotonicS() }
            let alert = try #require(event.alert)
            ids.append("\(alert.alertID) \(alert.state == .raised ? "raised" : "cleared")")
        }
        let unlockedAt = lockedAt + holdS
        lock.kill()
        stopHealth.store(true, ordering: .relaxed)
        healthDone.wait()
        readings.cancel()
        readerDone.wait()

        // Every Health call that overlapped the locked window, and the gaps between reading
        // batches across it (a batch just before and just after included).
        let during = healthCalls.withLock {
            $0.filter { $0.start < unlockedAt && $0.start + $0.latency > lockedAt }
        }
        let slowest = during.map(\.latency).max() ?? .infinity
        let all = batchTimes.withLock { $0 }
        let times =
            all.filter { $0 < lockedAt }.suffix(1) + all.filter { $0 >= lockedAt && $0 <= unlockedAt }
            + all.filter { $0 > unlockedAt }.prefix(1)
        let longestGap = zip(times.dropFirst(), times).map { $0 - $1 }.max() ?? .infinity
        func ms(_ s: Double) -> String { String(format: "%.0f ms", s * 1000) }
        print(
            "lock held \(holdS) s: \(during.count) Health calls, slowest \(ms(slowest)); \(times.count) reading batches, longest gap \(ms(longestGap)); QueryAlerts \(ms(queryLatency)); first alert event \(String(format: "%.2f", (firstEventAt ?? 0) - lockedAt)) s after the lock was taken"
        )
        // The writes really waited for the lock (else this test would show nothing).
        #expect((firstEventAt ?? 0) >= unlockedAt - 0.5, "alert events came before the lock was released")
        #expect(during.count >= 20, "Health calls while locked: \(during.count)")
        #expect(slowest < 1.0, "slowest Health call while the lock was held: \(slowest) s")
        #expect(times.count >= 10, "reading batches while locked: \(times.count)")
        #expect(longestGap < 1.0, "longest gap between reading batches while locked: \(longestGap) s")
        #expect(queryLatency < 1.0, "QueryAlerts while the lock was held: \(queryLatency) s")
        #expect(page.alerts.isEmpty)
        let expected = (1...10).flatMap { ["ALR-\($0) raised", "ALR-\($0) cleared"] }
        #expect(ids == expected)
        // And they are on disk.
        let stored = try SQLiteAlertStore(directory: dir.url.path)
        #expect(try stored.count() == 10)
    }

    /// Alerts handed to the writer and not yet stored when the server stops are written before
    /// it has stopped: the lock is held across the stop, so every write is still pending then.
    @Test func aCleanStopWaitsForPendingWrites() throws {
        let dir = try TemporaryDirectory()
        let server = try Self.server(dir.url)
        let lock = try DatabaseLockHolder(
            path: dir.url.appendingPathComponent(SQLiteAlertStore.fileName).path, seconds: 1.5)
        defer { lock.kill() }
        for k in 0..<20 { Self.ingestLater(server, AlertServiceTests.signals(k..<(k + 1))) }
        server.stop()
        let store = try SQLiteAlertStore(directory: dir.url.path)
        #expect(try store.count() == 20)
        let page = try store.query(AlertQuery(), pageSize: 100)
        #expect(page.alerts.map(\.id) == (1...20).map { "ALR-\($0)" })
        #expect(page.alerts.allSatisfy { $0.state == .cleared })
    }
}

/// Another process holding an SQLite database's write lock: python3's sqlite3 module runs
/// `BEGIN EXCLUSIVE` on the file, says "locked", and rolls back after `seconds`. Killed on every
/// path (`kill()`, deinit).
final class DatabaseLockHolder {
    private let process = Process()

    init(path: String, seconds: Double) throws {
        let script = """
            import sqlite3, sys, time
            c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
            c.execute("BEGIN EXCLUSIVE")
            print("locked", flush=True)
            time.sleep(float(sys.argv[2]))
            c.execute("ROLLBACK")
            """
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path, "\(seconds)"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        var line = [UInt8]()
        var byte: UInt8 = 0
        let fd = out.fileHandleForReading.fileDescriptor
        while read(fd, &byte, 1) == 1, byte != UInt8(ascii: "\n") { line.append(byte) }
        guard String(decoding: line, as: UTF8.self) == "locked" else {
            kill()
            throw LockHolderError(status: process.terminationStatus)
        }
    }

    func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { kill() }
}

struct LockHolderError: Error, CustomStringConvertible {
    let status: Int32
    var description: String { "python3 did not take the database lock (exit status \(status))" }
}

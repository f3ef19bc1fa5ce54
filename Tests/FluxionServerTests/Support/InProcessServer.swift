import FluxionServer
import FluxionWire
import Foundation
import Logging
import Synchronization

/// A real Server on a real libuv loop, on its own thread, listening on a free loopback port.
/// `configure` runs on the loop thread before start, to register test handlers.
final class InProcessServer: @unchecked Sendable {
    let port: Int
    let loop: EventLoop
    private let done = DispatchSemaphore(value: 0)
    private nonisolated(unsafe) var server: Server!

    init(
        tweak: (inout ServerConfiguration) -> Void = { _ in },
        configure: @escaping @Sendable (Server) -> Void = { _ in }
    ) throws {
        var config = ServerConfiguration()
        config.port = 0
        config.handleSignals = false
        tweak(&config)
        let loop = try EventLoop()
        self.loop = loop
        let ready = DispatchSemaphore(value: 0)
        let box = Mutex<Result<Int, UVError>?>(nil)
        let finalConfig = config
        let doneSignal = done
        let holder = ServerHolder()
        let thread = Thread {
            var logger = Logger(label: "test-server")
            logger.logLevel = .critical
            let server = Server(configuration: finalConfig, loop: loop, logger: logger)
            holder.server = server
            configure(server)
            do throws(UVError) {
                let port = try server.start()
                box.withLock { $0 = .success(port) }
            } catch {
                box.withLock { $0 = .failure(error) }
            }
            ready.signal()
            loop.run()
            doneSignal.signal()
        }
        thread.start()
        ready.wait()
        port = try box.withLock { $0! }.get()
        server = holder.server
    }

    /// Runs `body` on the loop thread and returns its result.
    func onLoop<T: Sendable>(_ body: @escaping @Sendable (Server) -> T) -> T {
        let sem = DispatchSemaphore(value: 0)
        let result = Mutex<T?>(nil)
        let server = self.server!
        nonisolated(unsafe) let s = server
        loop.execute {
            result.withLock { $0 = body(s) }
            sem.signal()
        }
        sem.wait()
        return result.withLock { $0! }
    }

    /// Runs `body` on the loop thread and waits until it calls its reply (on the loop thread,
    /// later: work handed to a `LoopWorker`); returns what it replied.
    func onLoopAwaiting<T: Sendable>(_ body: @escaping @Sendable (Server, @escaping (T) -> Void) -> Void) -> T {
        let sem = DispatchSemaphore(value: 0)
        let result = Mutex<T?>(nil)
        nonisolated(unsafe) let s = server!
        loop.execute {
            body(s) { value in
                result.withLock { $0 = value }
                sem.signal()
            }
        }
        sem.wait()
        return result.withLock { $0! }
    }

    /// Graceful shutdown; waits until the loop has returned.
    func stop() {
        nonisolated(unsafe) let s = server!
        loop.execute { s.shutdown(reason: "test over") }
        done.wait()
    }
}

private final class ServerHolder: @unchecked Sendable {
    var server: Server?
}

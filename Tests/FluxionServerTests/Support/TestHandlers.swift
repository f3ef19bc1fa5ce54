import FluxionServer
import FluxionWire
import Synchronization

/// What the test streaming handlers observed, shared between the loop and the test thread.
final class HandlerLog: Sendable {
    let cancelled = Mutex(0)
    let opened = Mutex(0)
    let sentBeforeBacklog = Mutex(0)
    let maxBacklogBytes = Mutex(0)
}

enum TestHandlers {
    /// StreamReadings becomes a stream that stays open until cancelled, sending one message
    /// per request payload byte count (0: none).
    static func holdOpen(_ server: Server, _ log: HandlerLog) {
        server.router.register(Wire.Fluxion.streamReadings) { call, payload in
            log.opened.withLock { $0 += 1 }
            call.onCancel = { log.cancelled.withLock { $0 += 1 } }
            if !payload.isEmpty { call.send(payload) }
        }
    }

    /// StreamReadings becomes a producer that sends 64 KiB messages until the connection's
    /// backlog refuses one, then ends the call with RESOURCE_EXHAUSTED (a slow-client policy).
    static func floodUntilBacklogged(_ server: Server, _ log: HandlerLog) {
        server.router.register(Wire.Fluxion.streamReadings) { call, _ in
            let chunk = [UInt8](repeating: 0x5A, count: 64 * 1024)
            for _ in 0..<10_000 {
                log.maxBacklogBytes.withLock { $0 = max($0, call.backlogBytes) }
                switch call.send(chunk) {
                case .sent: log.sentBeforeBacklog.withLock { $0 += 1 }
                case .backlogged:
                    call.finish(.resourceExhausted, "client reads too slowly")
                    return
                case .closed: return
                }
            }
            call.finish(.ok)
        }
    }
}

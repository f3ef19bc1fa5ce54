import FluxionWire
import Foundation

/// What a call has received so far; the reader thread fills it, the caller's thread takes from it.
///
/// Bounded: when a stream's consumer falls `capacity` messages behind, `push` waits, which stops
/// the connection's reader thread, so TCP pushes back on the server (which then skips batches
/// for this stream, see docs/PROTOCOL.md §8) instead of the client's memory growing.
/// Once the caller abandons the call (cancel), messages are dropped and only END is kept.
final class CallBox: @unchecked Sendable {
    enum Event {
        case message([UInt8])
        case end(StatusCode, String, [UInt8])
    }

    private let condition = NSCondition()
    private var events: [Event] = []
    private var head = 0
    private var abandoned = false
    private let capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = capacity
    }

    func push(_ event: Event) {
        condition.lock()
        defer { condition.unlock() }
        if case .message = event {
            if abandoned { return }
            while events.count - head >= capacity && !abandoned { condition.wait() }
            if abandoned { return }
        }
        events.append(event)
        condition.broadcast()
    }

    /// The caller no longer wants messages (they are dropped from now on; END still arrives).
    func abandon() {
        condition.lock()
        abandoned = true
        events = events.filter { if case .end = $0 { true } else { false } }
        head = 0
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until an event is there and takes it; nil if `deadline` passes first.
    func take(until deadline: Date? = nil) -> Event? {
        condition.lock()
        defer { condition.unlock() }
        while head == events.count {
            if let deadline {
                if !condition.wait(until: deadline) && head == events.count { return nil }
            } else {
                condition.wait()
            }
        }
        let event = events[head]
        head += 1
        if head == events.count {
            events.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 4096 {
            events.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return event
    }
}

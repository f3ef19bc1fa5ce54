import Foundation
import FluxionWire

/// What a call has received so far; the reader thread fills it, the caller's thread waits on it.
final class CallBox: @unchecked Sendable {
    enum Event {
        case message([UInt8])
        case end(StatusCode, String, [UInt8])
    }

    private let condition = NSCondition()
    private var events: [Event] = []
    private var head = 0

    func push(_ event: Event) {
        condition.lock()
        events.append(event)
        condition.signal()
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
        }
        return event
    }
}

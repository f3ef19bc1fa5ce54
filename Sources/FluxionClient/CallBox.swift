import FluxionWire

/// What one call has received and not yet taken. Plain data: the connection's lock guards it.
///
/// Bounded: when a stream's consumer falls `capacity` messages behind, the thread reading the
/// socket waits until it takes one, so TCP pushes back on the server (which then skips batches
/// for this stream, docs/PROTOCOL.md §8) instead of the client's memory growing. Once the
/// caller abandons the call (cancel), messages are dropped and only END is kept.
final class CallBox {
    enum Event {
        case message([UInt8])
        case end(Wire.StatusCode, String, [UInt8])
    }

    private var events: [Event] = []
    private var head = 0
    private(set) var abandoned = false
    let capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = capacity
    }

    var isFull: Bool { events.count - head >= capacity }

    /// Adds an event; false when a message must wait for room (the caller waits and retries).
    func push(_ event: Event) -> Bool {
        if case .message = event {
            if abandoned { return true }
            if isFull { return false }
        }
        events.append(event)
        return true
    }

    func abandon() {
        abandoned = true
        events = events.filter { if case .end = $0 { true } else { false } }
        head = 0
    }

    func pop() -> Event? {
        guard head < events.count else { return nil }
        let event = events[head]
        head += 1
        if head == events.count {
            events.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 4096 {
            events.removeFirst(head)
            head = 0
        }
        return event
    }
}

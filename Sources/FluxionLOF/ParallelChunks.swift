import Dispatch

/// Runs a loop over `0 ..< count` in chunks, on all cores when asked: the data-parallel
/// preparation around the neighbour search (rotations, reordering, per-row LOF arithmetic)
/// would otherwise be the serial part that limits the two-core speed-up.
enum ParallelChunks {
    /// Calls `body` with consecutive ranges covering `0 ..< count` (`chunkSize` each, the
    /// last shorter), concurrently when `parallel` and there is more than one chunk.
    static func forEach(
        _ count: Int, parallel: Bool, chunkSize: Int = 1024, _ body: (Range<Int>) -> Void
    ) {
        let chunks = (count + chunkSize - 1) / chunkSize
        if !parallel || chunks <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(value: body)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                shared.value(chunk * chunkSize..<min(count, (chunk + 1) * chunkSize))
            }
        }
    }
}

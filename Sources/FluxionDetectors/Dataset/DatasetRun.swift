import Foundation

/// Runs dataset cases on several threads: each case is independent (its own simulation and
/// seed) and is written at its own place, so the output is the same for any number of jobs.
public enum DatasetRun {
    /// Runs `body` for every case on up to `jobs` threads. After a case throws, no further case
    /// starts, and the first error (in case order) is thrown once the running ones end.
    public static func run(
        _ cases: [DatasetCase], jobs: Int, _ body: @Sendable (DatasetCase) throws -> Void
    ) throws {
        let state = State()
        DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, cases.count))) { _ in
            while let i = state.take(count: cases.count) {
                do { try body(cases[i]) } catch { state.fail(i, error) }
            }
        }
        if let (_, error) = state.failure { throw error }
    }

    private final class State: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0
        private(set) var failure: (Int, any Error)?

        func take(count: Int) -> Int? {
            lock.withLock {
                guard failure == nil, next < count else { return nil }
                defer { next += 1 }
                return next
            }
        }

        func fail(_ i: Int, _ error: any Error) {
            lock.withLock {
                if failure == nil || i < failure!.0 { failure = (i, error) }
            }
        }
    }
}

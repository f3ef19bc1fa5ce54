import Foundation

extension Evaluator {
    /// Runs `cases` on up to `jobs` threads and returns their outcomes in case order, the same
    /// for any `jobs`: each case is independent (its own simulation, sensor-noise seed and
    /// detector instances) and its outcomes depend on nothing else.
    ///
    /// `completed` receives each case's outcomes in case order, one call at a time (a case that
    /// finishes early waits for those before it). When a case throws, no further case starts and
    /// the first failing case in order throws `EvaluationCaseFailure` once the running ones end.
    public func run(
        _ cases: [EvaluationCase], jobs: Int,
        completed: @Sendable (EvaluationCase, [Outcome]) -> Void = { _, _ in }
    ) throws -> [Outcome] {
        let queue = CaseQueue(count: cases.count)
        DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, cases.count))) { _ in
            while let i = queue.take() {
                let result = Result<[Outcome], any Error> {
                    do { return try self.run(cases[i]) } catch {
                        throw EvaluationCaseFailure(caseIndex: cases[i].index, error: error)
                    }
                }
                queue.finish(i, result) { k, outcomes in completed(cases[k], outcomes) }
            }
        }
        return try queue.outcomes()
    }
}

/// A case of an evaluation that threw: which, and what.
public struct EvaluationCaseFailure: Error {
    public var caseIndex: Int
    public var error: any Error
}

/// The shared state of `Evaluator.run(_:jobs:completed:)`: which case starts next, the results
/// so far, and which case is delivered next. Every access holds `lock`.
private final class CaseQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var delivered = 0
    private var results: [Result<[Evaluator.Outcome], any Error>?]
    private var failed = false

    init(count: Int) { results = Array(repeating: nil, count: count) }

    /// The next case to run, or nil when all have started or one has failed.
    func take() -> Int? {
        lock.withLock {
            guard !failed, next < results.count else { return nil }
            defer { next += 1 }
            return next
        }
    }

    /// Records case i's result and delivers, in order, every finished case not yet delivered.
    func finish(
        _ i: Int, _ result: Result<[Evaluator.Outcome], any Error>, deliver: (Int, [Evaluator.Outcome]) -> Void
    ) {
        lock.withLock {
            results[i] = result
            if case .failure = result { failed = true }
            while delivered < results.count, case .success(let outcomes)? = results[delivered] {
                deliver(delivered, outcomes)
                delivered += 1
            }
        }
    }

    /// Every case's outcomes in order, or the first failure in order.
    func outcomes() throws -> [Evaluator.Outcome] {
        try lock.withLock {
            var all: [Evaluator.Outcome] = []
            for r in results {
                guard let r else { break }  // not started: a case before it failed
                all += try r.get()
            }
            return all
        }
    }
}

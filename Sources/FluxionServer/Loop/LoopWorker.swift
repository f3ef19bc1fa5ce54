import FluxionWire

/// A thread that owns state the loop thread must not touch — the twin (`TwinHost`), the
/// detector host (`DetectorWorker`), the alert store (`AlertStoreThread`) — and runs work on it
/// in the order it was handed over.
///
/// **The one way asynchronous work finishes in FluxionServer:**
///
/// ```
///  loop thread:   decode, check ── worker.perform(body) ──► worker thread: body(&subject)
///  loop thread:   completion(result) ◄── loop.execute ◄────────┘
/// ```
///
/// - `perform` returns at once; the loop thread never waits for a worker.
/// - `completion` runs **on the loop thread**, exactly once, in the order the work was handed
///   over, so it may touch loop state (calls, fan-outs, services) directly. No worker ever
///   calls back on its own thread.
/// - A worker that has stopped throws `WorkerStopped` and queues nothing; the completion is then
///   never called (libuv's rule: a function that returns an error never also calls back).
/// - A failure is a value of `Failure` that knows its wire status (`RPCStatusConvertible`);
///   nothing is turned into an empty success.
///
/// RPC handlers do not call `perform` themselves: they use `Router.unary(_:on:_:answer:)`, which
/// decodes the request, hands the work over, and finishes the call with the answer or with the
/// failure's status (UNAVAILABLE when the worker has stopped).
public protocol LoopWorker: AnyObject, Sendable {
    /// What the work sees (and may change) on the worker's thread.
    associatedtype Subject
    /// How the work fails.
    associatedtype Failure: Error

    /// Named in errors: "the twin", "the detector host", "the alert store".
    var workerName: String { get }

    /// Queues `body` for the worker's thread; `completion` then gets its result on the loop
    /// thread. See the protocol's documentation for the rules.
    func perform<T: Sendable>(
        _ body: @escaping @Sendable (inout Subject) throws(Failure) -> T,
        completion: @escaping @Sendable (Result<T, Failure>) -> Void
    ) throws(WorkerStopped)
}

/// What runs on a worker's thread: the work an RPC hands over.
public typealias WorkerBody<Worker: LoopWorker, Value> =
    @Sendable (inout Worker.Subject) throws(Worker.Failure) ->
    Value

/// A worker that no longer runs work (it was stopped, e.g. at shutdown).
public struct WorkerStopped: Error, Equatable, Sendable, CustomStringConvertible {
    public let worker: String

    public init(worker: String) { self.worker = worker }

    public var description: String { "\(worker) has stopped" }
    public var rpcError: RPCError { .unavailable(description) }
}

/// An error that knows the status a client receives for it.
public protocol RPCStatusConvertible: Error {
    var rpcError: RPCError { get }
}

/// A loop-thread object carried through a closure that Swift must treat as Sendable: it is only
/// ever touched again on the loop thread (a `LoopWorker` completion runs there).
struct LoopBound<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

extension Router {
    /// A unary method whose answer needs work on a `LoopWorker` — the one helper for it (see
    /// `LoopWorker` for the convention).
    ///
    /// 1. Loop thread: the request is decoded (a bad one ends the call with INVALID_ARGUMENT) and
    ///    `work` checks it (a thrown `RPCError` ends the call) and returns the body to run.
    /// 2. Worker thread: the body runs.
    /// 3. Loop thread: `answer` turns the body's value into the response (or throws an
    ///    `RPCError`); a failure of the body ends the call with `failure(error)` (default: the
    ///    error's own status); a stopped worker ends it with UNAVAILABLE.
    ///
    /// The call is always finished, once, on the loop thread.
    public func unary<Request: WireMessage, Response: WireMessage, Worker: LoopWorker, Value: Sendable>(
        _ method: MethodDescriptor, on worker: Worker,
        _ work: @escaping (Request) throws(RPCError) -> WorkerBody<Worker, Value>,
        failure: @escaping (Worker.Failure) -> RPCError,
        answer: @escaping (Request, Value) throws(RPCError) -> Response
    ) {
        unary(method, on: worker, work, failure: failure) { request, value, reply in
            do throws(RPCError) { reply(.success(try answer(request, value))) } catch { reply(.failure(error)) }
        }
    }

    /// The same, with the failure's own status.
    public func unary<Request: WireMessage, Response: WireMessage, Worker: LoopWorker, Value: Sendable>(
        _ method: MethodDescriptor, on worker: Worker,
        _ work: @escaping (Request) throws(RPCError) -> WorkerBody<Worker, Value>,
        answer: @escaping (Request, Value) throws(RPCError) -> Response
    ) where Worker.Failure: RPCStatusConvertible {
        unary(method, on: worker, work, failure: { $0.rpcError }, answer: answer)
    }

    /// The same, for an answer that needs one more asynchronous step (InjectLeak asks the
    /// detectors for warnings): `answer` calls `reply` once, on the loop thread.
    public func unary<Request: WireMessage, Response: WireMessage, Worker: LoopWorker, Value: Sendable>(
        _ method: MethodDescriptor, on worker: Worker,
        _ work: @escaping (Request) throws(RPCError) -> WorkerBody<Worker, Value>,
        failure: @escaping (Worker.Failure) -> RPCError,
        answerLater answer: @escaping (Request, Value, _ reply: @escaping (Result<Response, RPCError>) -> Void) -> Void
    ) {
        unary(
            method, on: worker, { (request: Request, _: ServerCall) throws(RPCError) in try work(request) },
            failure: failure, answerLater: answer)
    }

    /// The same, for work that needs the call too (who made it: `ServerCall.principal`).
    public func unary<Request: WireMessage, Response: WireMessage, Worker: LoopWorker, Value: Sendable>(
        _ method: MethodDescriptor, on worker: Worker,
        _ work: @escaping (Request, ServerCall) throws(RPCError) -> WorkerBody<Worker, Value>,
        failure: @escaping (Worker.Failure) -> RPCError,
        answerLater answer: @escaping (Request, Value, _ reply: @escaping (Result<Response, RPCError>) -> Void) -> Void
    ) {
        precondition(method.kind == .unary, "\(method.path) is not unary")
        register(method) { call, payload in
            let request: Request
            let body: WorkerBody<Worker, Value>
            do throws(RPCError) {
                do throws(DecodeError) { request = try Request(decoding: payload) } catch { throw error.rpcError }
                body = try work(request, call)
            } catch {
                return call.finish(error.code, error.message)
            }
            let reply = LoopBound { (result: Result<Response, RPCError>) in
                switch result {
                case .success(let response): call.finish(.ok, payload: response.encoded())
                case .failure(let error): call.finish(error.code, error.message)
                }
            }
            let loopSide = LoopBound((answer, failure))
            do throws(WorkerStopped) {
                try worker.perform(body) { result in
                    switch result {
                    case .success(let value): loopSide.value.0(request, value, reply.value)
                    case .failure(let error): reply.value(.failure(loopSide.value.1(error)))
                    }
                }
            } catch {
                reply.value(.failure(error.rpcError))
            }
        }
    }
}

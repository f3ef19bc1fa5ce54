/// Everything the twin can refuse, with the element and field at fault.
public enum TwinError: Error, Sendable, Equatable, CustomStringConvertible {
    case duplicateId(String)
    case invalidValue(element: String, field: String, reason: String)
    case unknownNode(element: String, field: String, node: String)
    case unknownPipe(element: String, field: String, pipe: String)
    case unknownSensor(String)
    case unknownLeak(String)
    case disconnected(node: String)
    case noFixedPotential
    /// The time step breaks the Courant condition a·Δt ≤ Δx for a pipe.
    case courantViolated(pipe: String, timeStepS: Double, largestAllowedS: Double)
    /// Rounding reaches to the global step would change a pipe's wave speed by more than allowed.
    case waveSpeedAdjustmentTooLarge(pipe: String, relativeChange: Double, tolerance: Double)
    case steadyStateDidNotConverge(iterations: Int, residual: Double)
    case positionOutsidePipe(element: String, pipe: String, positionM: Double, lengthM: Double)
    case unstable(timeS: Double, pipe: String)

    public var description: String {
        switch self {
        case .duplicateId(let id): "duplicate id '\(id)'"
        case let .invalidValue(e, f, r): "\(e): \(f) \(r)"
        case let .unknownNode(e, f, n): "\(e): \(f) names unknown node '\(n)'"
        case let .unknownPipe(e, f, p): "\(e): \(f) names unknown pipe '\(p)'"
        case .unknownSensor(let s): "unknown sensor '\(s)'"
        case .unknownLeak(let l): "unknown leak '\(l)'"
        case .disconnected(let n): "network is disconnected: node '\(n)' is not connected to the rest"
        case .noFixedPotential: "network has no reservoir or pressure source"
        case let .courantViolated(p, dt, maxDt):
            "time step \(dt) s breaks the Courant condition on pipe '\(p)': largest allowed step is \(maxDt) s"
        case let .waveSpeedAdjustmentTooLarge(p, rel, tol):
            "pipe '\(p)': fitting whole reaches to the time step changes its wave speed by \(rel * 100) % (tolerance \(tol * 100) %); use a smaller time_step_s"
        case let .steadyStateDidNotConverge(it, r):
            "steady state did not converge after \(it) iterations (residual \(r))"
        case let .positionOutsidePipe(e, p, x, l): "\(e): position \(x) m is outside pipe '\(p)' (0…\(l) m)"
        case let .unstable(t, p): "solution became non-finite at t = \(t) s in pipe '\(p)'"
        }
    }
}

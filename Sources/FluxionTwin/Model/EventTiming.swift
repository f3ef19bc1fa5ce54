/// The one rule for timed events (leak openings and clearings, valve closures, the
/// autopilot's leaks): an event given at time t_e acts from the first time level
/// t_n > t_e on. The state at t_e itself is the state before the event, as in TSNet
/// (whose valve closure starts at the first step with t > t_s).
///
/// Face values at a time level are the fluxes over the step that follows it, so an event
/// at t_e first moves fluid over the step from the first level after t_e. Times within
/// 1e-9 (relative, at least 1e-9 s) of t_e count as t_e, so that a level computed as
/// n·Δt that lands on t_e up to round-off does not depend on the last bit.
public enum EventTiming {
    /// True when an event given at `eventS` acts at the time level `t` (both s).
    @inline(__always)
    public static func acts(eventS: Double, atTimeS t: Double) -> Bool {
        t - eventS > 1e-9 * max(1, abs(eventS))
    }
}

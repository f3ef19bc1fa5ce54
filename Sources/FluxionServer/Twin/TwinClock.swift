/// How simulated time follows wall time.
///
/// Real time by default (`speed` 1: one simulated second per wall second); `speed` X runs X
/// times faster or slower; free-running steps as fast as the machine allows (tests, evaluation,
/// benchmarks); paused stops stepping. Simulated time maps to wall time through an anchor that is
/// reset whenever the mode or speed changes, so a change never makes the twin jump or race.
struct TwinClock: Sendable {
    var speed: Double
    var paused: Bool
    var freeRunning: Bool
    /// Wall (monotonic) and simulated time at the last change of mode or speed.
    private(set) var anchorWallNs: UInt64
    private(set) var anchorSimS: Double

    init(speed: Double, paused: Bool, freeRunning: Bool, nowNs: UInt64, simS: Double) {
        self.speed = speed
        self.paused = paused
        self.freeRunning = freeRunning
        anchorWallNs = nowNs
        anchorSimS = simS
    }

    mutating func reanchor(nowNs: UInt64, simS: Double) {
        anchorWallNs = nowNs
        anchorSimS = simS
    }

    /// The simulated time the twin should have reached at wall time `nowNs`.
    func targetSimS(nowNs: UInt64) -> Double {
        if paused { return -.infinity }
        if freeRunning { return .infinity }
        return anchorSimS + Double(nowNs &- anchorWallNs) / 1e9 * speed
    }

    /// The wall time at which simulated time `simS` is due (real-time modes only).
    func wallNs(forSimS simS: Double) -> UInt64 {
        let dt = (simS - anchorSimS) / speed
        return anchorWallNs &+ .saturating(dt * 1e9)
    }
}

/// An injected leak as the alert engine needs it (from the twin's leak events).
public struct LeakReference: Sendable, Equatable {
    public var id: String
    public var pipeID: String
    /// m from the start of `pipeID`.
    public var positionM: Double
    public var lineID: String?
    /// Position along `lineID`, m.
    public var chainageM: Double?
    /// Sim time the leak appeared, s.
    public var startS: Double
    /// Sim time it was cleared, s; nil while active.
    public var clearedS: Double?

    public init(
        id: String, pipeID: String, positionM: Double, lineID: String? = nil, chainageM: Double? = nil,
        startS: Double, clearedS: Double? = nil
    ) {
        self.id = id
        self.pipeID = pipeID
        self.positionM = positionM
        self.lineID = lineID
        self.chainageM = chainageM
        self.startS = startS
        self.clearedS = clearedS
    }
}

/// Attributes an alert to the injected leak it detects, if any.
///
/// A leak is a candidate at sim time t when it had started (`startS ≤ t`) and was not
/// cleared more than `clearGraceS` before t (a detector's window still sees a leak for a
/// while after it closes). Among candidates:
/// - same pipe: distance |x − x_leak|;
/// - same line (both on a line with known chainage): distance along the line's chainage;
/// - anything else is not a match.
/// The nearest candidate within `toleranceM` wins (ties: the earlier-started leak, then id).
/// An estimate with no pipe matches only when exactly one leak is a candidate (a detector
/// that does not localise still detects that leak); an estimate with a pipe but no position
/// uses the pipe's midpoint.
///
/// Default tolerance 2000 m: negative-pressure-wave localisation error is the wave speed
/// (≈ 400 m/s in gas, ≈ 1000–1200 m/s in liquid) times the timing error of one or two
/// samples at 1–2 Hz; 2 km covers that, and leaks injected closer together than that on one
/// line cannot be told apart by position anyway.
public struct LeakMatcher: Sendable, Equatable {
    public var toleranceM: Double
    public var clearGraceS: Double

    public init(toleranceM: Double = 2000, clearGraceS: Double = 120) {
        self.toleranceM = toleranceM
        self.clearGraceS = clearGraceS
    }

    public func match(
        pipeID: String?, positionM: Double?, atSimTimeS t: Double, leaks: [LeakReference],
        locator: NetworkLocator
    ) -> String? {
        let candidates = leaks.filter { $0.startS <= t && ($0.clearedS.map { t <= $0 + clearGraceS } ?? true) }
        guard let pipeID else { return candidates.count == 1 ? candidates[0].id : nil }
        let pipe = locator.pipe(pipeID)
        let x = positionM ?? (pipe.map { $0.lengthM / 2 } ?? 0)
        var best: (distance: Double, leak: LeakReference)?
        for leak in candidates {
            let distance: Double
            if leak.pipeID == pipeID {
                distance = abs(x - leak.positionM)
            } else if let pipe, let line = pipe.lineID, line == leak.lineID, let chainage = leak.chainageM {
                distance = abs(pipe.chainageStartM + x - chainage)
            } else {
                continue
            }
            guard distance <= toleranceM else { continue }
            if let b = best, (b.distance, b.leak.startS, b.leak.id) <= (distance, leak.startS, leak.id) { continue }
            best = (distance, leak)
        }
        return best?.leak.id
    }
}

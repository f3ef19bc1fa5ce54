/// Per-detector figures of an evaluation (docs/DETECTION.md explains each).
public struct EvaluationReport: Sendable, Equatable {
    /// A band of leak sizes, fractions of nominal flow (lower inclusive, upper exclusive).
    public struct SizeBand: Sendable, Equatable {
        public var lower: Double
        public var upper: Double
        public var cases: Int
        public var detected: Int
        public var rate: Double { cases > 0 ? Double(detected) / Double(cases) : .nan }
    }

    public struct Row: Sendable, Equatable {
        public var detector: String
        public var cases: Int
        public var detected: Int
        public var bands: [SizeBand]
        /// Detection rate over leaks ≥ 1 % of nominal flow.
        public var rateAtLeast1Percent: Double
        public var falseAlarms: Int
        /// Normal operation observed, simulated days.
        public var normalDays: Double
        public var falseAlarmsPerDay: Double { normalDays > 0 ? Double(falseAlarms) / normalDays : .nan }
        /// Time to detect, s (median, 90th percentile) over detections.
        public var timeToDetectMedianS: Double
        public var timeToDetectP90S: Double
        /// Detections that came with a position on the leak's line.
        public var located: Int
        /// Localization error, m and % of the leaking pipe's length (median, 90th percentile).
        public var locErrorMedianM: Double
        public var locErrorP90M: Double
        public var locErrorMedianPercent: Double
        public var locErrorP90Percent: Double
        /// 95 % confidence interval of `locErrorMedianPercent` (order statistics; nil: too few).
        public var locErrorMedianPercentCI: ClosedRange<Double>?
        /// Localization error of the last located estimate of each run (settled), % of pipe.
        public var settledLocErrorMedianM: Double
        public var settledLocErrorMedianPercent: Double
        public var settledLocErrorP90Percent: Double
        /// 95 % confidence interval of `settledLocErrorMedianPercent`.
        public var settledLocErrorMedianPercentCI: ClosedRange<Double>?
        /// |estimated − true| size in percentage points of nominal flow (median).
        public var sizeErrorMedianPoints: Double
        /// Cases in which the detector failed (the host refused its output).
        public var failures: Int
    }

    public var rows: [Row]

    public static let defaultBands: [(Double, Double)] = [(0.005, 0.01), (0.01, 0.02), (0.02, 0.05 + 1e-9)]

    public init(outcomes: [Evaluator.Outcome], bands: [(Double, Double)] = defaultBands) {
        let names = outcomes.reduce(into: [String]()) { if !$0.contains($1.detector) { $0.append($1.detector) } }
        rows = names.map { name in
            let mine = outcomes.filter { $0.detector == name }
            let hits = mine.filter { $0.timeToDetectS != nil }
            let big = mine.filter { $0.sizeFraction >= 0.01 }
            let loc = hits.compactMap { o in o.localizationErrorM.map { ($0, 100 * $0 / max(o.pipeLengthM, 1)) } }
            let settled = hits.compactMap { o in
                o.settledLocalizationErrorM.map { ($0, 100 * $0 / max(o.pipeLengthM, 1)) }
            }
            return Row(
                detector: name, cases: mine.count, detected: hits.count,
                bands: bands.map { lo, hi in
                    let inBand = mine.filter { $0.sizeFraction >= lo && $0.sizeFraction < hi }
                    return SizeBand(
                        lower: lo, upper: min(hi, 0.05), cases: inBand.count,
                        detected: inBand.filter { $0.timeToDetectS != nil }.count)
                },
                rateAtLeast1Percent: big.isEmpty
                    ? .nan : Double(big.filter { $0.timeToDetectS != nil }.count) / Double(big.count),
                falseAlarms: mine.reduce(0) { $0 + $1.falseAlarms },
                normalDays: mine.reduce(0) { $0 + $1.normalS } / 86_400,
                timeToDetectMedianS: quantile(hits.compactMap(\.timeToDetectS), 0.5),
                timeToDetectP90S: quantile(hits.compactMap(\.timeToDetectS), 0.9),
                located: loc.count,
                locErrorMedianM: quantile(loc.map(\.0), 0.5), locErrorP90M: quantile(loc.map(\.0), 0.9),
                locErrorMedianPercent: quantile(loc.map(\.1), 0.5), locErrorP90Percent: quantile(loc.map(\.1), 0.9),
                locErrorMedianPercentCI: medianInterval(loc.map(\.1)),
                settledLocErrorMedianM: quantile(settled.map(\.0), 0.5),
                settledLocErrorMedianPercent: quantile(settled.map(\.1), 0.5),
                settledLocErrorP90Percent: quantile(settled.map(\.1), 0.9),
                settledLocErrorMedianPercentCI: medianInterval(settled.map(\.1)),
                sizeErrorMedianPoints: quantile(hits.compactMap(\.sizeError).map { $0 * 100 }, 0.5),
                failures: mine.filter { $0.failure != nil }.count)
        }
    }
}

import FluxionDetectorKit
import FluxionTwin

/// Runs evaluation cases offline, faster than real time: a fresh `Simulation` per case with its
/// leak, every detector loaded from the plugin directory into a fresh `DetectorHost`, every
/// tick through every detector, the `AlarmRule` applied to each detector's probabilities.
public struct Evaluator: Sendable {
    /// A detector to evaluate: plugin name and configuration JSON (empty: its defaults).
    public struct Entry: Sendable, Equatable {
        public var plugin: String
        public var configJSON: String
        public init(plugin: String, configJSON: String = "") {
            self.plugin = plugin
            self.configJSON = configJSON
        }
    }

    /// What one detector did in one case.
    /// A position on a pipe, m from its start.
    public struct Placement: Sendable, Equatable {
        public var pipeID: String
        public var positionM: Double
    }

    public struct Outcome: Sendable, Equatable {
        public var caseIndex: Int
        public var detector: String
        public var sizeFraction: Double
        /// Alarms that started before the leak.
        public var falseAlarms: Int
        /// Normal operation observed before the leak, s.
        public var normalS: Double
        /// Time from leak start to the alarm, s; nil: missed.
        public var timeToDetectS: Double?
        /// |estimated − true| chainage (or position on the same pipe), m; nil: not located.
        public var localizationErrorM: Double?
        /// The same for the last located estimate of the run (the settled answer), m.
        public var settledLocalizationErrorM: Double?
        /// Where the detector placed the leak at detection.
        public var locationAtDetection: Placement?
        /// True pipe length, m.
        public var pipeLengthM: Double
        /// |estimated − true| size as a fraction of nominal flow, at the end of the run.
        public var sizeError: Double?
        /// Why the detector stopped, when it failed.
        public var failure: String?
    }

    public let scenario: Scenario
    public let pluginDirectory: String
    public let detectors: [Entry]
    public let rule: AlarmRule
    /// Failed sensors and scaled noise in every case (default: the scenario's instruments).
    public let instruments: InstrumentConditions

    public init(
        scenario: Scenario, pluginDirectory: String, detectors: [Entry], rule: AlarmRule,
        instruments: InstrumentConditions = InstrumentConditions()
    ) {
        var s = instruments.applyNoise(to: scenario)
        s.leaks = []
        s.autopilot.enabled = false
        self.scenario = s
        self.pluginDirectory = pluginDirectory
        self.detectors = detectors
        self.rule = rule
        self.instruments = instruments
    }

    /// Runs one case; one outcome per detector.
    public func run(_ c: EvaluationCase) throws -> [Outcome] {
        var sim = try Simulation(scenario: scenario, seed: c.seed)
        try instruments.applyFaults(to: &sim)
        _ = try sim.injectLeak(
            LeakRequest(
                location: .pipe(id: c.pipeID, positionM: c.positionM),
                size: .fractionOfNominalFlow(c.sizeFraction), startS: c.leakStartS,
                rampS: c.rampS, source: "evaluation"))
        let network = NetworkDescription(sim)
        let host = DetectorHost(pluginDirectory: pluginDirectory, network: network)
        host.wallClock = { 0 }
        var names: [String] = []
        for (k, d) in detectors.enumerated() {
            let name = detectors.count == 1 ? d.plugin : "\(d.plugin)#\(k + 1)"
            try host.load(plugin: d.plugin, name: name, configJSON: d.configJSON)
            try host.activate(name)
            names.append(name)
        }
        let chainage = Chainage(network)
        let truth = chainage.of(pipe: c.pipeID, positionM: c.positionM)
        let builder = TickBuilder(network)
        var trackers = Dictionary(uniqueKeysWithValues: names.map { ($0, AlarmTracker(rule: rule)) })
        var outcomes = Dictionary(
            uniqueKeysWithValues: names.map {
                (
                    $0,
                    Outcome(
                        caseIndex: c.index, detector: $0, sizeFraction: c.sizeFraction, falseAlarms: 0,
                        normalS: c.leakStartS, timeToDetectS: nil, localizationErrorM: nil,
                        settledLocalizationErrorM: nil, locationAtDetection: nil,
                        pipeLengthM: chainage.length(c.pipeID), sizeError: nil, failure: nil)
                )
            })
        sim.advance(toTimeS: c.endS) { readings in
            guard let t = readings.first?.simTimeS else { return }
            let signals = host.process(builder.tick(simTimeS: t, readings: readings)) { error in
                if case .invalidOutput(let name, let reason) = error { outcomes[name]?.failure = reason }
            }
            for s in signals {
                guard var o = outcomes[s.detector], var tracker = trackers[s.detector] else { continue }
                let started = tracker.update(simTimeS: t, probability: s.estimate.probability)
                trackers[s.detector] = tracker
                if started, t < c.leakStartS { o.falseAlarms += 1 }
                if tracker.alarming, t >= c.leakStartS {
                    if o.timeToDetectS == nil { o.timeToDetectS = t - c.leakStartS }
                    if let pipe = s.estimate.pipeID, let x = s.estimate.positionM {
                        let error = chainage.distance(truth, chainage.of(pipe: pipe, positionM: x))
                        if o.localizationErrorM == nil {
                            o.localizationErrorM = error
                            o.locationAtDetection = Placement(pipeID: pipe, positionM: x)
                        }
                        o.settledLocalizationErrorM = error ?? o.settledLocalizationErrorM
                    }
                    if let size = s.estimate.sizeFraction { o.sizeError = abs(size - c.sizeFraction) }
                }
                outcomes[s.detector] = o
            }
        }
        return names.compactMap { outcomes[$0] }
    }
}

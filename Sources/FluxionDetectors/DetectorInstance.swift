import CFluxionDetectorABI
import FluxionDetectorKit

/// One detector created from a plugin: the plugin's opaque state and what the host knows of it.
/// Confined to the host's thread.
final class DetectorInstance {
    let name: String
    let plugin: DetectorPlugin
    private var state: OpaquePointer?
    private(set) var status: DetectorState = .loaded
    private(set) var lastError = ""
    private(set) var lastEstimate = DetectorEstimate(probability: 0)
    private(set) var samplesSeen: UInt64 = 0
    private(set) var ticksSeen: UInt64 = 0
    private let pipeIDs: [String]

    /// Calls the plugin's `create` with the network and configuration JSON.
    init(
        name: String, plugin: DetectorPlugin, networkJSON: [UInt8], configJSON: [UInt8], pipeIDs: [String]
    ) throws(DetectorError) {
        self.name = name
        self.plugin = plugin
        self.pipeIDs = pipeIDs
        let created = networkJSON.withUnsafeBufferPointer { net in
            configJSON.withUnsafeBufferPointer { cfg in
                var config = fluxion_detector_config(
                    struct_size: UInt32(MemoryLayout<fluxion_detector_config>.size), reserved: 0,
                    network_json: net.baseAddress, network_json_len: net.count,
                    config_json: cfg.baseAddress, config_json_len: cfg.count)
                return plugin.create(plugin.api, &config)
            }
        }
        guard let created else {
            let text = plugin.errorText(nil)
            throw .initFailed(plugin: plugin.pluginName, message: text.isEmpty ? "create returned NULL" : text)
        }
        state = created
    }

    deinit { plugin.destroy(state) }

    func setActive(_ active: Bool) throws(DetectorError) {
        if status == .failed { throw .instanceFailed(name: name, reason: lastError) }
        status = active ? .active : .loaded
    }

    /// Runs one tick through the plugin. Returns the estimate, or nil after marking the instance
    /// failed when the plugin reports an error or an estimate the host refuses.
    func observe(simTimeS: Double, samples: UnsafeBufferPointer<fluxion_sample>) -> DetectorEstimate? {
        guard status == .active else { return nil }
        var out = fluxion_estimate(probability: 0, pipe_index: -1, reserved: 0, position_m: .nan, size_fraction: .nan)
        let rc = plugin.observe(state, simTimeS, samples.baseAddress, samples.count, &out)
        ticksSeen += 1
        samplesSeen += UInt64(samples.count)
        if rc != 0 {
            let text = plugin.errorText(state)
            fail("observe returned \(rc): \(text.isEmpty ? "no error text" : text)")
            return nil
        }
        if let reason = Self.refusal(out, pipeCount: pipeIDs.count) {
            fail("invalid estimate at t = \(simTimeS) s: \(reason)")
            return nil
        }
        let estimate = DetectorEstimate(
            probability: out.probability,
            pipeID: out.pipe_index >= 0 ? pipeIDs[Int(out.pipe_index)] : nil,
            positionM: out.position_m.isNaN ? nil : out.position_m,
            sizeFraction: out.size_fraction.isNaN ? nil : out.size_fraction)
        lastEstimate = estimate
        return estimate
    }

    func reset() { plugin.reset?(state) }

    private func fail(_ reason: String) {
        status = .failed
        lastError = reason
    }

    /// Why an estimate is refused, or nil when it is acceptable.
    static func refusal(_ e: fluxion_estimate, pipeCount: Int) -> String? {
        if !e.probability.isFinite { return "probability is \(e.probability)" }
        if e.probability < 0 || e.probability > 1 { return "probability \(e.probability) is outside 0…1" }
        if e.pipe_index < -1 || Int(e.pipe_index) >= pipeCount {
            return "pipe index \(e.pipe_index) is not a pipe of the network"
        }
        if e.position_m.isInfinite { return "position is \(e.position_m)" }
        if e.size_fraction.isInfinite { return "size fraction is \(e.size_fraction)" }
        return nil
    }

    var snapshot: DetectorStatus {
        DetectorStatus(
            name: name, plugin: plugin.pluginName, version: plugin.version, summary: plugin.summary,
            state: status, abiVersion: plugin.abiVersion, lastError: lastError,
            leakProbability: lastEstimate.probability, samplesSeen: samplesSeen, ticksSeen: ticksSeen,
            learningRemainingS: learningRemainingS)
    }

    /// What the plugin says of its learning (`learning_remaining_s`); -1 when it cannot tell or
    /// answers something that is not a time.
    var learningRemainingS: Double {
        guard status != .failed, let ask = plugin.learningRemaining else { return -1 }
        let s = ask(state)
        return s.isFinite ? max(s, -1) : -1
    }
}

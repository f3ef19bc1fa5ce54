import CFluxionDetectorABI
import FluxionDetectorKit
import Foundation

/// The plugin host: loads detector plugins from one directory, creates detector instances,
/// activates, deactivates and swaps them, and runs every active detector on every tick.
///
/// ```
///  plugin name ──► <dir>/lib<name>.so ──dlopen──► entry table (ABI checked) ──create──► instance
///  tick ──► C samples (once) ──► observe, for every active instance ──► [AlertSignal]
///                                  └─ NaN / out of range / error: that instance fails, others run on
/// ```
///
/// Not thread-safe: one thread at a time (`DetectorManager` confines it to its worker; the
/// evaluation harness and the benchmark use it directly).
public final class DetectorHost: @unchecked Sendable {
    /// Where plugins are looked up; names never leave it.
    public let pluginDirectory: String
    public let network: NetworkDescription
    /// The network as detectors receive it, or why it could not be encoded (then every load
    /// fails with that error: a plugin is never given an empty or partial network).
    private let networkJSON: Result<[UInt8], DetectorError>
    private var plugins: [String: DetectorPlugin] = [:]
    /// Loaded instances, in load order.
    private var instances: [DetectorInstance] = []
    /// Plugin files opened by `list`, by path.
    private var probed: [String: DetectorPlugin] = [:]
    private var samples: [fluxion_sample] = []
    /// Wall clock for signals (unix ns); tests and evaluation may fix it.
    public var wallClock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1e9) }

    public init(pluginDirectory: String, network: NetworkDescription) {
        self.pluginDirectory = pluginDirectory
        pluginFiles = ConfinedDirectory(path: pluginDirectory, kind: "plugin")
        self.network = network
        do {
            networkJSON = .success(Array(try JSONEncoder().encode(network)))
        } catch {
            networkJSON = .failure(.networkUnencodable(reason: Self.reason(error)))
        }
    }

    /// The useful part of an encoding error: where (`pipes[0].lengthM`) and what went wrong.
    private static func reason(_ error: any Error) -> String {
        guard case EncodingError.invalidValue(_, let context) = error else { return "\(error)" }
        var path = ""
        for key in context.codingPath {
            if let i = key.intValue { path += "[\(i)]" } else { path += (path.isEmpty ? "" : ".") + key.stringValue }
        }
        return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
    }

    // MARK: Plugins and instances

    /// The file a plugin name maps to: `lib<name>.so`, or `libFluxion<Name>.so` when only that
    /// exists (so "threshold" finds libFluxionThreshold.so). Never a path outside the directory.
    public func pluginPath(_ name: String) throws(DetectorError) -> String {
        guard ConfinedDirectory.isPlainName(name) else { throw .invalidPluginName(name) }
        for file in ["lib\(name).so", "libFluxion\(name.prefix(1).uppercased())\(name.dropFirst()).so"] {
            do throws(FileRefusal) {
                return try pluginFiles.resolve(file)
            } catch {
                if case .missing = error.reason { continue }
                throw .refusedFile(error)
            }
        }
        throw .missingFile(plugin: name, directory: pluginDirectory)
    }

    /// The plugin directory's rules (plain names, no link leaving it unless allowed, size).
    public var pluginFiles: ConfinedDirectory

    /// Where a detector's `model` configuration key is looked up.
    public enum ModelFiles: Sendable, Equatable {
        /// The value is a path, used as given (offline tools run by the user on their own files).
        case paths
        /// The value is a plain name in this directory (fluxiond `--models`), else in
        /// `shippedModels`; the detector is given the resolved path. A detector loaded without a
        /// `model` key gets `<plugin>-<scenario>.model` when either has it (this one first).
        case directory(ConfinedDirectory)
        /// A `model` key is refused: this host opens no model files.
        case none
    }

    public var modelFiles = ModelFiles.paths
    /// The models that come with the product, looked up after `.directory`'s (fluxiond: found
    /// beside its executable); nil: none.
    public var shippedModels: ConfinedDirectory?

    /// The model a plugin gets when its configuration names none: `<plugin>-<scenario>.model`.
    public func defaultModelName(plugin: String) -> String { "\(plugin)-\(network.scenario).model" }

    /// The configuration the detector is given: with `.directory`, a `model` key naming a file
    /// is replaced by that file's path once the directory's rules hold; without a `model` key,
    /// the plugin's default model is added when one is there.
    func resolvingModel(_ config: [UInt8], plugin: String) throws(DetectorError) -> [UInt8] {
        guard modelFiles != .paths else { return config }
        var object: [String: Any] = [:]
        if !config.isEmpty {
            guard let parsed = (try? JSONSerialization.jsonObject(with: Data(config))) as? [String: Any] else {
                return config
            }
            object = parsed
        }
        let shipped = shippedModels
        guard case .directory(let models) = modelFiles else {
            guard let value = object["model"] else { return config }
            guard let name = value as? String else { throw .invalidConfig("model: must be the name of a model file") }
            throw .refusedFile(FileRefusal(kind: "model", name: name, reason: .noDirectory(option: "--models")))
        }
        if let value = object["model"] {
            guard let name = value as? String else { throw .invalidConfig("model: must be the name of a model file") }
            if let path = try Self.find(name, in: [models] + (shipped.map { [$0] } ?? [])) {
                object["model"] = path
            } else {
                do throws(FileRefusal) { _ = try models.resolve(name) } catch { throw .refusedFile(error) }
            }
        } else {
            let name = defaultModelName(plugin: plugin)
            guard ConfinedDirectory.isPlainName(name),
                let path = try Self.find(name, in: [models] + (shipped.map { [$0] } ?? []))
            else { return config }
            object["model"] = path
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object) else { return config }
        return Array(data)
    }

    /// `name`'s path in the first of `directories` that has it; nil when none has it. A file
    /// that is there but breaks a rule (a link leaving, too large) is refused, not skipped.
    private static func find(_ name: String, in directories: [ConfinedDirectory]) throws(DetectorError) -> String? {
        for directory in directories {
            do throws(FileRefusal) {
                return try directory.resolve(name)
            } catch {
                if case .missing = error.reason { continue }
                throw .refusedFile(error)
            }
        }
        return nil
    }

    /// Opens (once) and checks a plugin.
    func plugin(_ name: String) throws(DetectorError) -> DetectorPlugin {
        let path = try pluginPath(name)
        if let p = plugins[path] { return p }
        let p = try DetectorPlugin(pluginName: name, path: path)
        plugins[path] = p
        return p
    }

    /// Loads a detector instance (not active yet).
    /// - Parameters:
    ///   - plugin: a plugin name in the plugin directory.
    ///   - name: the instance name; empty: the plugin name.
    ///   - configJSON: the detector's configuration (empty: its defaults); must be JSON.
    @discardableResult
    public func load(
        plugin pluginName: String, name: String = "", configJSON: String = ""
    ) throws(DetectorError) -> DetectorStatus {
        let instanceName = name.isEmpty ? pluginName : name
        var config = Array(configJSON.utf8)
        if !config.isEmpty {
            do { _ = try JSONSerialization.jsonObject(with: Data(config), options: [.fragmentsAllowed]) } catch {
                throw .invalidConfig("not valid JSON (\(error.localizedDescription))")
            }
        }
        let p = try plugin(pluginName)
        if instances.contains(where: { $0.name == instanceName }) { throw .duplicateInstance(instanceName) }
        config = try resolvingModel(config, plugin: pluginName)
        let instance = try DetectorInstance(
            name: instanceName, plugin: p, networkJSON: try networkJSON.get(), configJSON: config,
            pipeIDs: network.pipes.map(\.id))
        instances.append(instance)
        return instance.snapshot
    }

    /// Removes a loaded instance (its state is destroyed; the library stays mapped).
    public func unload(_ name: String) throws(DetectorError) {
        guard let i = instances.firstIndex(where: { $0.name == name }) else { throw .unknownInstance(name) }
        instances.remove(at: i)
    }

    @discardableResult
    public func activate(_ name: String) throws(DetectorError) -> DetectorStatus {
        let instance = try find(name)
        try instance.setActive(true)
        return instance.snapshot
    }

    @discardableResult
    public func deactivate(_ name: String) throws(DetectorError) -> DetectorStatus {
        let instance = try find(name)
        try instance.setActive(false)
        return instance.snapshot
    }

    /// Deactivates `old` and activates `new` in one step: both are checked first, so either both
    /// change or neither does, and no tick falls between them.
    @discardableResult
    public func swap(deactivate old: String, activate new: String) throws(DetectorError) -> [DetectorStatus] {
        let a = try find(old), b = try find(new)
        if b.status == .failed { throw .instanceFailed(name: b.name, reason: b.lastError) }
        if a.status != .failed { try a.setActive(false) }
        try b.setActive(true)
        return [a.snapshot, b.snapshot]
    }

    public func status(_ name: String) throws(DetectorError) -> DetectorStatus { try find(name).snapshot }

    /// Loaded instances, then plugin files of the directory that no instance uses (`available`),
    /// each opened and checked like a load (no instance is created): a plugin shows its
    /// detector's version, description and ABI version; a file that is not a usable plugin
    /// (wrong ABI, no entry point, …) shows why in `lastError`, so it is never mistaken for one.
    public func list() -> [DetectorStatus] {
        var result = instances.map(\.snapshot)
        let used = Set(instances.map { URL(fileURLWithPath: $0.plugin.path).lastPathComponent })
        let files = (try? FileManager.default.contentsOfDirectory(atPath: pluginDirectory)) ?? []
        for file in files.sorted() where file.hasPrefix("lib") && file.hasSuffix(".so") && !used.contains(file) {
            let name = String(file.dropFirst(3).dropLast(3))
            var status = DetectorStatus(
                name: name, plugin: name, version: "", summary: "", state: .available,
                abiVersion: 0, lastError: "", leakProbability: 0, samplesSeen: 0, ticksSeen: 0)
            do {
                let path = (pluginDirectory as NSString).appendingPathComponent(file)
                let plugin = try probe(name: name, path: path)
                // One name per detector: the detector's own ("lof", not "FluxionLof") when loading
                // by it finds this file.
                if (try? pluginPath(plugin.detectorName)) == path {
                    status.name = plugin.detectorName
                    status.plugin = plugin.detectorName
                }
                status.version = plugin.version
                status.summary = plugin.summary
                status.abiVersion = plugin.abiVersion
            } catch {
                status.lastError = error.description
            }
            result.append(status)
        }
        return result
    }

    /// Opens a plugin file for `list` (kept: libraries stay mapped anyway, see DetectorPlugin).
    private func probe(name: String, path: String) throws(DetectorError) -> DetectorPlugin {
        if let p = probed[path] { return p }
        let p = try DetectorPlugin(pluginName: name, path: path)
        probed[path] = p
        return p
    }

    /// The longest learning time any active instance still needs, simulated s (0: all ready;
    /// an instance that cannot tell counts as ready).
    public var learningRemainingS: Double {
        instances.filter { $0.status == .active }.map(\.learningRemainingS).max().map { max($0, 0) } ?? 0
    }

    /// One line per active instance still learning: what a leak opened now will meet.
    public func learningWarnings() -> [String] {
        instances.filter { $0.status == .active }.compactMap { instance in
            let left = instance.learningRemainingS
            guard left > 0 else { return nil }
            return
                "detector \(instance.name) is still learning normal operation (\(DetectorHost.duration(left)) of simulated time left): it learns this leak as normal and will not raise it"
        }
    }

    /// "23 min", "1 h 5 min", "40 s".
    public static func duration(_ s: Double) -> String {
        if s < 60 { return "\(Int(s.rounded())) s" }
        let minutes = Int((s / 60).rounded(.up))
        return minutes < 60 ? "\(minutes) min" : "\(minutes / 60) h \(minutes % 60) min"
    }

    /// Names of the active instances, in load order.
    public var activeNames: [String] { instances.filter { $0.status == .active }.map(\.name) }

    private func find(_ name: String) throws(DetectorError) -> DetectorInstance {
        guard let i = instances.first(where: { $0.name == name }) else { throw .unknownInstance(name) }
        return i
    }

    // MARK: Ticks

    /// Runs every active detector on one tick and returns one signal per detector that answered.
    /// A detector that fails (error, NaN, probability outside 0…1) is marked failed and left out;
    /// `onFailure` hears about it; the others keep running.
    public func process(_ tick: DetectorTick, onFailure: (DetectorError) -> Void = { _ in }) -> [AlertSignal] {
        samples.removeAll(keepingCapacity: true)
        for s in tick.samples {
            samples.append(
                fluxion_sample(
                    sensor_index: UInt32(truncatingIfNeeded: s.sensorIndex), valid: s.valid ? 1 : 0,
                    value: s.value, reserved: 0))
        }
        var signals: [AlertSignal] = []
        var wall: Int64?
        samples.withUnsafeBufferPointer { buffer in
            for instance in instances where instance.status == .active {
                if let estimate = instance.observe(simTimeS: tick.simTimeS, samples: buffer) {
                    let now = wall ?? wallClock()
                    wall = now
                    signals.append(
                        AlertSignal(
                            detector: instance.name, simTimeS: tick.simTimeS, wallTimeUnixNs: now,
                            estimate: estimate))
                } else if instance.status == .failed {
                    onFailure(.invalidOutput(detector: instance.name, reason: instance.lastError))
                }
            }
        }
        return signals
    }
}

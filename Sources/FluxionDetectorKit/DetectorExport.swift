import CFluxionDetectorABI
import Foundation

/// Builds the C table of `fluxion_detector.h` for a Swift `Detector` type, so a plugin author
/// writes no C. Call it once, from the plugin's exported entry point:
///
///     @_cdecl("fluxion_detector_entry")
///     public func fluxionDetectorEntry() -> UnsafeRawPointer { DetectorExport.table(for: MyDetector.self) }
///
/// The table (and its strings) is allocated once per type and never freed: the host keeps
/// plugins mapped for the life of the process. Everything here runs inside the plugin's image;
/// only C types cross to the host.
public enum DetectorExport {
    nonisolated(unsafe) private static var tables: [ObjectIdentifier: UnsafeRawPointer] = [:]
    private static let lock = NSLock()

    /// The plugin's table for `type` (the same pointer on every call): a
    /// `const fluxion_detector_api *` of ABI version `FLUXION_DETECTOR_ABI_VERSION`, to return
    /// from the plugin's `fluxion_detector_entry`. Thread-safe.
    public static func table<D: Detector>(for type: D.Type) -> UnsafeRawPointer {
        lock.lock()
        defer { lock.unlock() }
        if let table = tables[ObjectIdentifier(type)] { return table }
        let factory = DetectorFactory { network, config in try D(network: network, configJSON: config) }
        let table = makeTable(name: D.name, version: D.version, summary: D.summary, factory: factory)
        tables[ObjectIdentifier(type)] = table
        return table
    }

    /// Lays out the table followed by a pointer to its factory (what `create` finds through `api`).
    static func makeTable(name: String, version: String, summary: String, factory: DetectorFactory) -> UnsafeRawPointer
    {
        let stride = MemoryLayout<fluxion_detector_api>.stride
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: stride + MemoryLayout<UnsafeRawPointer>.stride,
            alignment: MemoryLayout<fluxion_detector_api>.alignment)
        let api = fluxion_detector_api(
            abi_version: FLUXION_DETECTOR_ABI_VERSION,
            struct_size: UInt32(MemoryLayout<fluxion_detector_api>.size),
            name: UnsafePointer(strdup(name)), version: UnsafePointer(strdup(version)),
            description: UnsafePointer(strdup(summary)),
            create: exportCreate, destroy: exportDestroy, observe: exportObserve,
            last_error: exportLastError, reset: exportReset, learning_remaining_s: exportLearningRemaining)
        raw.initializeMemory(as: fluxion_detector_api.self, repeating: api, count: 1)
        (raw + stride).storeBytes(
            of: UnsafeRawPointer(Unmanaged.passRetained(factory).toOpaque()), as: UnsafeRawPointer.self)
        return UnsafeRawPointer(raw)
    }

    static func factory(of api: UnsafePointer<fluxion_detector_api>?) -> DetectorFactory? {
        guard let api else { return nil }
        let slot = UnsafeRawPointer(api) + MemoryLayout<fluxion_detector_api>.stride
        return Unmanaged<DetectorFactory>.fromOpaque(slot.load(as: UnsafeRawPointer.self)).takeUnretainedValue()
    }
}

private let exportCreate:
    @convention(c) (UnsafePointer<fluxion_detector_api>?, UnsafePointer<fluxion_detector_config>?) -> OpaquePointer? = {
        api, config in
        guard let factory = DetectorExport.factory(of: api) else { return nil }
        guard let config else {
            factory.lastError.set("create: no configuration")
            return nil
        }
        let c = config.pointee
        let networkBytes = c.network_json.map { Data(bytes: $0, count: c.network_json_len) } ?? Data()
        let configBytes = c.config_json.map { Array(UnsafeBufferPointer(start: $0, count: c.config_json_len)) } ?? []
        do {
            let network = try JSONDecoder().decode(NetworkDescription.self, from: networkBytes)
            let detector = try factory.make(network, configBytes)
            factory.lastError.set(nil)
            let box = DetectorBox(detector: detector, network: network)
            return OpaquePointer(Unmanaged.passRetained(box).toOpaque())
        } catch let error as DecodingError {
            factory.lastError.set("network description: \(error)")
        } catch let error as NetworkDescriptionError {
            factory.lastError.set(error.description)
        } catch {
            factory.lastError.set(String(describing: error))
        }
        return nil
    }

private let exportLearningRemaining: @convention(c) (OpaquePointer?) -> Double = { state in
    guard let box = DetectorBox.from(state) else { return -1 }
    return box.detector.learningRemainingS ?? -1
}

private let exportDestroy: @convention(c) (OpaquePointer?) -> Void = { state in
    guard let state else { return }
    Unmanaged<DetectorBox>.fromOpaque(UnsafeRawPointer(state)).release()
}

private let exportObserve:
    @convention(c) (
        OpaquePointer?, Double, UnsafePointer<fluxion_sample>?, Int, UnsafeMutablePointer<fluxion_estimate>?
    ) -> Int32 = { state, time, samples, count, out in
        guard let box = DetectorBox.from(state), let out else { return 1 }
        box.samples.removeAll(keepingCapacity: true)
        if let samples {
            for i in 0..<count {
                let s = samples[i]
                box.samples.append(SensorSample(sensorIndex: Int(s.sensor_index), value: s.value, valid: s.valid != 0))
            }
        }
        let tick = DetectorTick(simTimeS: time, samples: box.samples)
        do {
            let e = try box.detector.observe(tick)
            out.pointee.probability = e.probability
            out.pointee.pipe_index = e.pipeID.flatMap { box.pipeIndex[$0] }.map(Int32.init) ?? -1
            out.pointee.position_m = e.positionM ?? .nan
            out.pointee.size_fraction = e.sizeFraction ?? .nan
            return 0
        } catch {
            box.lastError.set(String(describing: error))
            return 1
        }
    }

private let exportLastError:
    @convention(c) (UnsafePointer<fluxion_detector_api>?, OpaquePointer?) -> UnsafePointer<CChar>? = { api, state in
        if let box = DetectorBox.from(state) { return UnsafePointer(box.lastError.pointer) }
        return UnsafePointer(DetectorExport.factory(of: api)?.lastError.pointer)
    }

private let exportReset: @convention(c) (OpaquePointer?) -> Void = { state in
    guard let box = DetectorBox.from(state) else { return }
    box.detector.reset()
}

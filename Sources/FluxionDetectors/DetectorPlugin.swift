import CFluxionDetectorABI
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A plugin library opened with `RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE` and its checked entry
/// table. Never closed: unloading is logical only (the library stays mapped, see
/// docs/PLUGINS.md), so pointers into it stay valid for the life of the process.
public final class DetectorPlugin: @unchecked Sendable {
    /// The name it was loaded by (e.g. "FluxionThreshold").
    public let pluginName: String
    public let path: String
    /// The detector's own name, version and description from the table.
    public let detectorName: String
    public let version: String
    public let summary: String
    public let abiVersion: UInt32
    let api: UnsafePointer<fluxion_detector_api>
    let create:
        @convention(c) (UnsafePointer<fluxion_detector_api>?, UnsafePointer<fluxion_detector_config>?) -> OpaquePointer?
    let destroy: @convention(c) (OpaquePointer?) -> Void
    let observe:
        @convention(c) (
            OpaquePointer?, Double, UnsafePointer<fluxion_sample>?, Int, UnsafeMutablePointer<fluxion_estimate>?
        ) -> Int32
    let lastError: @convention(c) (UnsafePointer<fluxion_detector_api>?, OpaquePointer?) -> UnsafePointer<CChar>?
    let reset: (@convention(c) (OpaquePointer?) -> Void)?
    /// OPTIONAL, added later: nil when the plugin's table predates it or leaves it NULL.
    let learningRemaining: (@convention(c) (OpaquePointer?) -> Double)?

    /// Opens `path` and checks, in order: the entry point exists, the ABI version, the table
    /// size, the required entries.
    init(pluginName: String, path: String) throws(DetectorError) {
        self.pluginName = pluginName
        self.path = path
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            throw .notAPlugin(plugin: pluginName, reason: Self.dlerrorText())
        }
        guard let symbol = dlsym(handle, FLUXION_DETECTOR_ENTRY_SYMBOL) else {
            let reason = Self.dlerrorText()
            dlclose(handle)  // RTLD_NODELETE: stays mapped; this only drops our reference.
            throw .notAPlugin(plugin: pluginName, reason: reason)
        }
        let entry = unsafeBitCast(symbol, to: fluxion_detector_entry_fn.self)
        guard let api = entry() else {
            throw .malformedTable(plugin: pluginName, reason: "the entry point returned NULL")
        }
        // Version and size first, before reading anything else of the table.
        let head = UnsafeRawPointer(api)
        let found = head.load(as: UInt32.self)
        guard found == FLUXION_DETECTOR_ABI_VERSION else {
            throw .abiMismatch(plugin: pluginName, found: found, expected: FLUXION_DETECTOR_ABI_VERSION)
        }
        let size = head.load(fromByteOffset: 4, as: UInt32.self)
        // The table as first released; fields added since are read only when struct_size covers them.
        let needed = MemoryLayout<fluxion_detector_api>.offset(of: \.learning_remaining_s)!
        guard Int(size) >= needed else {
            throw .malformedTable(plugin: pluginName, reason: "struct_size \(size) < \(needed) bytes of ABI version 1")
        }
        let t = api.pointee
        var missing: [String] = []
        if t.name == nil { missing.append("name") }
        if t.version == nil { missing.append("version") }
        if t.create == nil { missing.append("create") }
        if t.destroy == nil { missing.append("destroy") }
        if t.observe == nil { missing.append("observe") }
        if t.last_error == nil { missing.append("last_error") }
        guard missing.isEmpty, let create = t.create, let destroy = t.destroy, let observe = t.observe,
            let lastError = t.last_error, let name = t.name, let version = t.version
        else {
            throw .malformedTable(
                plugin: pluginName, reason: "required entries are NULL: \(missing.joined(separator: ", "))")
        }
        self.api = api
        self.create = create
        self.destroy = destroy
        self.observe = observe
        self.lastError = lastError
        self.reset = t.reset
        let learningEnd =
            MemoryLayout<fluxion_detector_api>.offset(of: \.learning_remaining_s)!
            + MemoryLayout<UnsafeRawPointer>.size
        learningRemaining = Int(size) >= learningEnd ? t.learning_remaining_s : nil
        detectorName = String(cString: name)
        self.version = String(cString: version)
        summary = t.description.map { String(cString: $0) } ?? ""
        abiVersion = found
    }

    /// The plugin's error text for `state` (NULL: the last failed create).
    func errorText(_ state: OpaquePointer?) -> String {
        guard let p = lastError(api, state) else { return "" }
        return String(cString: p)
    }

    private static func dlerrorText() -> String {
        guard let e = dlerror() else { return "unknown dlopen error" }
        return String(cString: e)
    }
}

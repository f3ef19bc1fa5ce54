import Foundation

/// Where the detector models that come with Fluxion are (docs/PINN.md, "Shipped models"), found
/// from the directory of the running executable: installed, PREFIX/share/fluxion/models beside
/// PREFIX/bin; in a build tree, Plugins/PINN/models of the source tree the build is in (looked
/// for in the executable's directory and the three above it).
public enum ShippedModels {
    /// The directory; nil when neither exists.
    public static func directory(executableDirectory: String) -> String? {
        var isDirectory: ObjCBool = false
        func exists(_ path: String) -> Bool {
            FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
        var dir = URL(fileURLWithPath: executableDirectory)
        let installed = dir.deletingLastPathComponent().appendingPathComponent("share/fluxion/models").path
        if exists(installed) { return installed }
        for _ in 0..<4 {
            let tree = dir.appendingPathComponent("Plugins/PINN/models").path
            if exists(tree) { return tree }
            dir.deleteLastPathComponent()
        }
        return nil
    }

    /// The shipped model a plugin gets for a scenario when its configuration names none:
    /// `<plugin>-<scenario>.model` in `directory`, when it is a regular file there.
    public static func model(plugin: String, scenario: String, in directory: String) -> String? {
        let name = "\(plugin)-\(scenario).model"
        guard ConfinedDirectory.isPlainName(name) else { return nil }
        let path = URL(fileURLWithPath: directory).appendingPathComponent(name).path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            return nil
        }
        return path
    }
}

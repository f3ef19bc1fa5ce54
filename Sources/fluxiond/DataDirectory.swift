import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where fluxiond keeps state that must outlive it (the alert store).
enum DataDirectory {
    /// `$XDG_STATE_HOME/fluxion`, else `$HOME/.local/state/fluxion` (the XDG base directory
    /// rule for state data), else `./fluxion-data`.
    static var defaultPath: String {
        let env = ProcessInfo.processInfo.environment
        if let state = env["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/fluxion" }
        if let home = env["HOME"], !home.isEmpty { return home + "/.local/state/fluxion" }
        return "fluxion-data"
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Creates `path` (and its parents) if missing and checks that it is a writable directory.
    static func prepare(_ path: String) throws(Failure) {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            // mkdir -p by hand: errno gives a reason a person can act on.
            var prefix = path.hasPrefix("/") ? "" : "."
            for part in path.split(separator: "/") {
                prefix += "/" + part
                if mkdir(prefix, 0o755) != 0, errno != EEXIST {
                    throw Failure(
                        description:
                            "data directory \(path): cannot create \(prefix): \(String(cString: strerror(errno)))")
                }
            }
        } else if !isDirectory.boolValue {
            throw Failure(description: "data directory \(path): exists and is not a directory")
        }
        guard access(path, W_OK | X_OK) == 0 else {
            throw Failure(description: "data directory \(path): not writable: \(String(cString: strerror(errno)))")
        }
    }
}

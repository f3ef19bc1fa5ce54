import Foundation

/// Where fluxiond keeps state that outlives it (the alert store, the audit trail) when no
/// `--data` is given; the CLI reads the audit trail from the same place.
public enum StateDirectory {
    /// `$XDG_STATE_HOME/fluxion`, else `$HOME/.local/state/fluxion` (the XDG base directory rule
    /// for state data), else `./fluxion-data`.
    public static var defaultPath: String {
        let env = ProcessInfo.processInfo.environment
        if let state = env["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/fluxion" }
        if let home = env["HOME"], !home.isEmpty { return home + "/.local/state/fluxion" }
        return "fluxion-data"
    }
}

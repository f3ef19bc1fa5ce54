/// What a token may do. `operate` includes everything `read` may.
public enum Role: String, Sendable, Comparable, CaseIterable {
    /// Read calls: readings, leaks, topology, clock, detectors, alerts.
    case read
    /// Also the calls that change the twin, the detectors or alarm states (`AccessPolicy.operateMethods`).
    case operate

    public static func < (a: Role, b: Role) -> Bool { a == .read && b == .operate }
}

/// Whether read calls need a token.
public enum ReadAccess: String, Sendable, CaseIterable {
    /// Anyone who can connect may read (the default; bind to loopback or a trusted network).
    case open
    /// Read calls need a token of any role.
    case token
}

/// Which role each method needs.
public enum AccessPolicy {
    /// Methods that change the twin, the detectors or an alert's alarm state: they need an
    /// `operate` token.
    public static let operateMethods: Set<String> = [
        "InjectLeak", "ClearLeak", "SetClock", "SetSensorFault",
        "LoadDetector", "ActivateDetector", "DeactivateDetector", "SwapDetector",
        "AcknowledgeAlert", "ShelveAlert", "UnshelveAlert",
    ]
    /// Methods always open, so that a client can check the server before it has a token.
    public static let openMethods: Set<String> = ["Health", "GetServerInfo"]

    /// The role `method` (its short name, e.g. `InjectLeak`) needs; nil: none.
    public static func requiredRole(_ method: String, readAccess: ReadAccess) -> Role? {
        if operateMethods.contains(method) { return .operate }
        if openMethods.contains(method) { return nil }
        return readAccess == .token ? .read : nil
    }
}

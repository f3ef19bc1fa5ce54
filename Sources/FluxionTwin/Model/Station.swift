/// A named site on the network (metering station, city gate), anchored at a node.
public struct Station: Sendable, Equatable {
    public var id: String
    public var name: String
    public var nodeId: String
    /// Leak-risk multiplier used by the autopilot for pipes touching this station's node.
    public var riskMultiplier: Double

    public init(id: String, name: String, nodeId: String, riskMultiplier: Double = 1) {
        self.id = id
        self.name = name
        self.nodeId = nodeId
        self.riskMultiplier = riskMultiplier
    }
}

/// A pipeline line: an ordered list of pipes with a continuous chainage.
public struct Line: Sendable, Equatable {
    public var id: String
    /// Pipe ids in order from the start of the line.
    public var pipeIds: [String]

    public init(id: String, pipeIds: [String]) {
        self.id = id
        self.pipeIds = pipeIds
    }
}

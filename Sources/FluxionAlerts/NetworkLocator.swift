import FluxionDetectorKit

/// Places an estimated leak position in the network: its nearest station and its segment.
///
/// Nearest station: stations sit at nodes. From a point `positionM` along pipe P (from node A
/// to node B, length L), the distance to A is `positionM` and to B is `L − positionM`
/// (positions are clamped to 0…L). From there the search follows pipes (Dijkstra over the
/// undirected pipe graph, edge weight = pipe length, m) and returns the first station node
/// reached; ties go to the station id that sorts first, so the answer is deterministic.
/// Distance is along the pipes, not straight-line: that is where a crew would walk the line.
/// Without a position the pipe's midpoint is used; without a pipe there is no station.
///
/// Segment: the pipe's line id when it has one, else the pipe id.
public struct NetworkLocator: Sendable {
    private struct Edge: Sendable {
        let to: String
        let lengthM: Double
    }

    private let pipes: [String: PipeDescription]
    private let adjacency: [String: [Edge]]
    private let stationAtNode: [String: String]

    public init(_ network: NetworkDescription) {
        var pipes: [String: PipeDescription] = [:]
        var adjacency: [String: [Edge]] = [:]
        for p in network.pipes {
            pipes[p.id] = p
            adjacency[p.fromNode, default: []].append(Edge(to: p.toNode, lengthM: p.lengthM))
            adjacency[p.toNode, default: []].append(Edge(to: p.fromNode, lengthM: p.lengthM))
        }
        var stationAtNode: [String: String] = [:]
        for s in network.stations.sorted(by: { $0.id < $1.id }) where stationAtNode[s.nodeID] == nil {
            stationAtNode[s.nodeID] = s.id
        }
        self.pipes = pipes
        self.adjacency = adjacency
        self.stationAtNode = stationAtNode
    }

    /// A locator that knows no network: no stations, segments are pipe ids.
    public static let empty = NetworkLocator(
        NetworkDescription(
            scenario: "", isGas: false, timeStepS: 0, sensors: [],
            pipes: [], stations: [], lines: [:]))

    public func pipe(_ id: String) -> PipeDescription? { pipes[id] }

    /// The segment of `pipeID`: its line, or the pipe itself.
    public func segment(pipeID: String?) -> String? {
        guard let pipeID else { return nil }
        return pipes[pipeID]?.lineID ?? pipeID
    }

    /// The nearest station to `positionM` along `pipeID`, with its distance along the pipes, m.
    public func nearestStation(pipeID: String?, positionM: Double?) -> (stationID: String, distanceM: Double)? {
        guard let pipeID, let pipe = pipes[pipeID] else { return nil }
        let x = min(max(positionM.flatMap { $0.isFinite ? $0 : nil } ?? pipe.lengthM / 2, 0), pipe.lengthM)
        var best: [String: Double] = [pipe.fromNode: x]
        best[pipe.toNode] = min(best[pipe.toNode] ?? .infinity, pipe.lengthM - x)
        var done = Set<String>()
        // Networks have tens of nodes: a linear scan for the minimum is simpler than a heap.
        while let (node, d) = best.filter({ !done.contains($0.key) }).min(by: {
            ($0.value, $0.key) < ($1.value, $1.key)
        }) {
            if let station = stationAtNode[node] { return (station, d) }
            done.insert(node)
            for e in adjacency[node] ?? [] where !done.contains(e.to) {
                best[e.to] = min(best[e.to] ?? .infinity, d + e.lengthM)
            }
        }
        return nil
    }
}

import FluxionDetectorKit

/// Positions along the network's lines.
struct Chainage {
    struct Point { var line: String?; var pipe: String; var chainageM: Double }
    private let pipes: [String: PipeDescription]

    init(_ network: NetworkDescription) {
        pipes = Dictionary(network.pipes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    func of(pipe: String, positionM: Double) -> Point {
        let p = pipes[pipe]
        return Point(line: p?.lineID, pipe: pipe, chainageM: (p?.chainageStartM ?? 0) + positionM)
    }

    func length(_ pipe: String) -> Double { pipes[pipe]?.lengthM ?? 0 }

    /// Distance along the line, m; different lines or pipes off the lines: nil.
    func distance(_ a: Point, _ b: Point) -> Double? {
        if a.pipe == b.pipe || (a.line != nil && a.line == b.line) { return abs(a.chainageM - b.chainageM) }
        return nil
    }
}

/// Unit responses of a line's pressure sensors to a leak at each candidate position: the fall
/// of probe k, Pa per Sm³/h of leak, n steps after the leak opened at candidate c, for
/// n = 0…steps. One flat array (the fit reads it in its innermost loop).
public struct ResponseTable: Sendable {
    public let candidates: Int
    public let probes: Int
    public let steps: Int
    public private(set) var values: [Double]

    public init(candidates: Int, probes: Int, steps: Int) {
        self.candidates = candidates
        self.probes = probes
        self.steps = steps
        values = Array(repeating: 0, count: candidates * probes * (steps + 1))
    }

    /// Index of step 0 of candidate c, probe k in `values`.
    @inlinable
    public func offset(cell c: Int, probe k: Int) -> Int { (c * probes + k) * (steps + 1) }

    public subscript(c: Int, k: Int, n: Int) -> Double {
        get { values[offset(cell: c, probe: k) + n] }
        set { values[offset(cell: c, probe: k) + n] = newValue }
    }
}

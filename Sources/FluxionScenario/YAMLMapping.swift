import Yams

/// Reads the fields of one YAML mapping, remembering which were used so unknown
/// ones can be refused, and turning every problem into a located `ScenarioError`.
struct YAMLMapping {
    let node: Yams.Node
    let file: String
    /// Element id for messages (filled in once the id is read).
    var element: String
    private var entries: [(key: String, value: Yams.Node, line: Int?)] = []
    private var used = Set<String>()

    init(_ node: Yams.Node, file: String, element: String) throws(ScenarioError) {
        self.node = node
        self.file = file
        self.element = element
        guard let mapping = node.mapping else {
            throw ScenarioError(file: file, line: node.mark?.line, element: element, message: "expected a mapping")
        }
        for (k, v) in mapping {
            entries.append((k.string ?? "", v, k.mark?.line))
        }
    }

    /// Line of the mapping.
    var line: Int? { node.mark?.line }

    /// Line of a field, or of the mapping.
    func line(of key: String) -> Int? {
        entries.first { $0.key == key }?.line ?? line
    }

    func error(_ key: String?, _ message: String) -> ScenarioError {
        ScenarioError(
            file: file, line: key.map { line(of: $0) } ?? line, element: element, field: key, message: message)
    }

    mutating func value(_ key: String) -> Yams.Node? {
        guard let e = entries.first(where: { $0.key == key }) else { return nil }
        used.insert(key)
        if case .scalar(let s) = e.value, s.string == "" || s.string == "~" || s.string == "null" { return nil }
        return e.value
    }

    func has(_ key: String) -> Bool { entries.contains { $0.key == key } }

    mutating func string(_ key: String) throws(ScenarioError) -> String? {
        guard let v = value(key) else { return nil }
        guard case .scalar(let s) = v else { throw error(key, "expected a text value") }
        return s.string
    }

    mutating func requiredString(_ key: String) throws(ScenarioError) -> String {
        guard let s = try string(key) else { throw missing(key) }
        return s
    }

    mutating func double(_ key: String) throws(ScenarioError) -> Double? {
        guard let v = value(key) else { return nil }
        guard case .scalar(let s) = v, let d = Double(s.string.replacingOccurrences(of: "_", with: "")), d.isFinite
        else {
            throw error(key, "expected a number")
        }
        return d
    }

    mutating func requiredDouble(_ key: String) throws(ScenarioError) -> Double {
        guard let d = try double(key) else { throw missing(key) }
        return d
    }

    /// A number that must be > 0 (or ≥ 0 with `allowZero`).
    mutating func positive(_ key: String, allowZero: Bool = false) throws(ScenarioError) -> Double? {
        guard let d = try double(key) else { return nil }
        if allowZero ? d < 0 : d <= 0 { throw error(key, allowZero ? "must not be negative" : "must be positive") }
        return d
    }

    mutating func bool(_ key: String) throws(ScenarioError) -> Bool? {
        guard let v = value(key) else { return nil }
        guard let b = v.bool else { throw error(key, "expected true or false") }
        return b
    }

    mutating func doubles(_ key: String) throws(ScenarioError) -> [Double]? {
        guard let v = value(key) else { return nil }
        guard let seq = v.sequence else { throw error(key, "expected a list of numbers") }
        var out = [Double]()
        for item in seq {
            guard let s = item.scalar, let d = Double(s.string) else { throw error(key, "expected a list of numbers") }
            out.append(d)
        }
        return out
    }

    /// A list of [a, b] pairs.
    mutating func pairs(_ key: String) throws(ScenarioError) -> [(Double, Double)]? {
        guard let v = value(key) else { return nil }
        guard let seq = v.sequence else { throw error(key, "expected a list of [a, b] pairs") }
        var out = [(Double, Double)]()
        for item in seq {
            guard let pair = item.sequence, pair.count == 2, let a = pair[0].scalar.flatMap({ Double($0.string) }),
                let b = pair[1].scalar.flatMap({ Double($0.string) })
            else {
                throw error(key, "expected a list of [a, b] pairs")
            }
            out.append((a, b))
        }
        return out
    }

    mutating func mapping(_ key: String, element: String? = nil) throws(ScenarioError) -> YAMLMapping? {
        guard let v = value(key) else { return nil }
        return try YAMLMapping(v, file: file, element: element ?? self.element)
    }

    mutating func sequence(_ key: String) throws(ScenarioError) -> [Yams.Node] {
        guard let v = value(key) else { return [] }
        guard let seq = v.sequence else { throw error(key, "expected a list") }
        return Array(seq)
    }

    /// Error for a required field that is absent: when an unread field looks like a
    /// misspelling of it, that field is reported as unknown instead.
    func missing(_ key: String) -> ScenarioError {
        if let typo = entries.first(where: { !used.contains($0.key) && Self.editDistance($0.key, key) <= 2 }) {
            return ScenarioError(
                file: file, line: typo.line, element: element, field: typo.key,
                message: "unknown field (did you mean '\(key)'?)")
        }
        return error(key, "is required")
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }

    /// Throws on the first field that was never read.
    func finish() throws(ScenarioError) {
        if let unknown = entries.first(where: { !used.contains($0.key) }) {
            throw ScenarioError(
                file: file, line: unknown.line, element: element, field: unknown.key, message: "unknown field")
        }
    }
}

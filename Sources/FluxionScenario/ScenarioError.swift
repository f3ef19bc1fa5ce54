/// A scenario that cannot be loaded, located as precisely as the YAML allows.
public struct ScenarioError: Error, Sendable, CustomStringConvertible {
    /// File path or embedded scenario name.
    public var file: String
    /// 1-based line, when known.
    public var line: Int?
    /// Element id (node, pipe, sensor …) or section name.
    public var element: String?
    /// Field within the element.
    public var field: String?
    public var message: String

    public init(file: String, line: Int? = nil, element: String? = nil, field: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.element = element
        self.field = field
        self.message = message
    }

    /// `file:line: element 'P1', field 'length_m': must be positive`.
    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        s += ":"
        if let element { s += " element '\(element)'" }
        if let field { s += (element == nil ? "" : ",") + " field '\(field)'" }
        if element != nil || field != nil { s += ":" }
        return s + " " + message
    }
}

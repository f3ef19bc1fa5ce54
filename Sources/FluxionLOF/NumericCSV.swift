import Foundation

/// A reader for headerless numeric CSV: one point per line, comma-separated finite numbers,
/// every line the same width. Blank lines (including a trailing newline) are skipped; `\r\n`
/// line ends are accepted. Errors name the source and the 1-based line and column.
public enum NumericCSV {
    /// Parses CSV text into a matrix; `source` names the text in error messages.
    /// - Throws: `NumericCSVError`.
    public static func parse(_ text: String, source: String) throws -> FeatureMatrix {
        var values: [Double] = []
        var width: Int?
        var rows = 0
        // Bytes, not Characters: "\r\n" is one Character in Swift, and bytes are faster.
        let bytes = Array(text.utf8)
        var lineNumber = 0
        for var line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.allSatisfy(isBlank) { continue }
            var fields = 0
            for rawField in line.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                fields += 1
                let field = rawField.drop(while: isBlank).reversed().drop(while: isBlank).reversed()
                let text = String(decoding: field, as: UTF8.self)
                guard let value = Double(text), value.isFinite else {
                    throw NumericCSVError.notANumber(source: source, line: lineNumber, column: fields, text: text)
                }
                values.append(value)
            }
            if let width, width != fields {
                throw NumericCSVError.raggedRow(
                    source: source, line: lineNumber, expected: width, found: fields)
            }
            width = fields
            rows += 1
        }
        guard let width, rows > 0 else { throw NumericCSVError.empty(source: source) }
        return try FeatureMatrix(count: rows, dimension: width, values: values)
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    /// Reads and parses the file at `path`.
    /// - Throws: `NumericCSVError.unreadable` when the file cannot be read as UTF-8, else as
    ///   `parse`.
    public static func read(path: String) throws -> FeatureMatrix {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw NumericCSVError.unreadable(path: path, reason: Self.reason(path: path))
        }
        return try parse(text, source: path)
    }

    /// Why `path` could not be read, in a few words.
    private static func reason(path: String) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return "no such file"
        }
        if isDirectory.boolValue { return "is a directory" }
        return FileManager.default.isReadableFile(atPath: path)
            ? "not valid UTF-8 text" : "permission denied"
    }
}

/// Errors of reading headerless numeric CSV.
public enum NumericCSVError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file does not exist or cannot be read.
    case unreadable(path: String, reason: String)
    /// The input holds no data rows.
    case empty(source: String)
    /// A line has a different number of fields than the first data line.
    case raggedRow(source: String, line: Int, expected: Int, found: Int)
    /// A field is not a finite number.
    case notANumber(source: String, line: Int, column: Int, text: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "\(path): cannot read: \(reason)"
        case let .empty(source):
            return "\(source): no data rows"
        case let .raggedRow(source, line, expected, found):
            return "\(source):\(line): ragged row: \(found) fields, expected \(expected)"
        case let .notANumber(source, line, column, text):
            return "\(source):\(line): field \(column) is not a finite number: '\(text)'"
        }
    }
}

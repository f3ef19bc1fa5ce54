import Foundation

/// Locates ../shared/reference/ beside the repository, from this file's path.
enum ReferenceData {
    struct Missing: Error, CustomStringConvertible {
        let path: String
        var description: String { "reference data not found at \(path): CI must place shared/ beside the clone" }
    }

    /// URL of a file under shared/reference/.
    static func url(_ relative: String) throws -> URL {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        // Tests/FluxionTwinTests/ReferenceData.swift → repository root.
        dir = dir.deletingLastPathComponent().deletingLastPathComponent()
        let url = dir.deletingLastPathComponent().appendingPathComponent("shared/reference/\(relative)")
        guard FileManager.default.fileExists(atPath: url.path) else { throw Missing(path: url.path) }
        return url
    }

    /// Columns of a CSV with a header row, as doubles.
    static func csv(_ relative: String) throws -> [String: [Double]] {
        let text = try String(contentsOf: url(relative), encoding: .utf8)
        var lines = text.split(separator: "\n")
        let header = lines.removeFirst().split(separator: ",").map(String.init)
        var columns = [String: [Double]]()
        for line in lines {
            for (name, field) in zip(header, line.split(separator: ",")) {
                columns[name, default: []].append(Double(field)!)
            }
        }
        return columns
    }
}

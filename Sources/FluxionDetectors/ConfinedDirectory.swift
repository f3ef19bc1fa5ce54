import FluxionWire
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A directory the operator configured, from which files are opened by plain name only: how
/// fluxiond opens plugins (`--plugins`) and detector models (`--models`) that a client names.
///
/// A name is a plain file name (not empty, no '/', no NUL, not starting with '.', at most 255
/// bytes). The file must be a regular file, at most `maxFileBytes`; a symbolic link is followed
/// only when its target stays inside the directory, unless the operator allows links that leave
/// it (`allowLinksOutside`).
public struct ConfinedDirectory: Sendable, Equatable {
    public let path: String
    /// What the files are, for messages ("plugin", "model").
    public let kind: String
    public var maxFileBytes: Int
    public var allowLinksOutside: Bool

    public init(path: String, kind: String, maxFileBytes: Int = 256 * 1024 * 1024, allowLinksOutside: Bool = false) {
        self.path = path
        self.kind = kind
        self.maxFileBytes = maxFileBytes
        self.allowLinksOutside = allowLinksOutside
    }

    public static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 255 && !name.contains("/") && !name.hasPrefix(".")
            && !name.utf8.contains(0)
    }

    /// The path of `name`'s file, once every rule holds.
    public func resolve(_ name: String) throws(FileRefusal) -> String {
        guard Self.isPlainName(name) else { throw FileRefusal(kind: kind, name: name, reason: .notPlain) }
        let file = path.hasSuffix("/") ? path + name : path + "/" + name
        var info = stat()
        guard lstat(file, &info) == 0 else {
            throw FileRefusal(kind: kind, name: name, reason: .missing(directory: path))
        }
        if info.st_mode & S_IFMT == S_IFLNK, !allowLinksOutside {
            guard let target = Self.realPath(file), let root = Self.realPath(path),
                target.hasPrefix(root.hasSuffix("/") ? root : root + "/")
            else {
                throw FileRefusal(kind: kind, name: name, reason: .linkLeaves(directory: path))
            }
        }
        guard stat(file, &info) == 0 else {
            throw FileRefusal(kind: kind, name: name, reason: .missing(directory: path))
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw FileRefusal(kind: kind, name: name, reason: .notRegular)
        }
        guard Int(info.st_size) <= maxFileBytes else {
            throw FileRefusal(kind: kind, name: name, reason: .tooLarge(bytes: Int(info.st_size), limit: maxFileBytes))
        }
        return file
    }

    private static func realPath(_ p: String) -> String? {
        guard let r = realpath(p, nil) else { return nil }
        defer { free(r) }
        return String(cString: r)
    }
}

/// Why a file a client named is not opened.
public struct FileRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable {
        case notPlain
        case missing(directory: String)
        case linkLeaves(directory: String)
        case notRegular
        case tooLarge(bytes: Int, limit: Int)
        /// The server has no directory configured for this kind of file.
        case noDirectory(option: String)
    }
    public let kind: String
    public let name: String
    public let reason: Reason

    public init(kind: String, name: String, reason: Reason) {
        self.kind = kind
        self.name = name
        self.reason = reason
    }

    public var description: String {
        let shown = "\(kind) \"\(name.replacingOccurrences(of: "\0", with: "\\0"))\""
        switch reason {
        case .notPlain: return "\(shown): not a plain file name (no '/', not empty, not starting with '.')"
        case .missing(let dir): return "\(shown): no such file in the \(kind) directory \(dir)"
        case .linkLeaves(let dir): return "\(shown): a symbolic link that leaves the \(kind) directory \(dir)"
        case .notRegular: return "\(shown): not a regular file"
        case .tooLarge(let bytes, let limit): return "\(shown): \(bytes) bytes, more than the \(limit)-byte limit"
        case .noDirectory(let option): return "\(shown): this server has no \(kind) directory (\(option))"
        }
    }

    public var status: Wire.StatusCode {
        switch reason {
        case .notPlain: .invalidArgument
        case .missing: .notFound
        case .linkLeaves, .noDirectory: .permissionDenied
        case .notRegular, .tooLarge: .failedPrecondition
        }
    }
}

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The tokens file: one token per line, `<id> <role> <sha256-hex>`; `#` starts a comment.
///
/// ```
/// # who     role     SHA-256 of the secret
/// ops       operate  2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae
/// grafana   read     fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9
/// ```
///
/// The file holds no secret, only hashes, but whoever can write it can grant access: fluxiond
/// refuses a file that group or others may write. `fluxion token create` adds a line.
public enum TokenFile {
    public static func load(_ path: String) throws(TokenFileError) -> [AccessToken] {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        guard info.st_mode & (S_IWGRP | S_IWOTH) == 0 else {
            throw .writableByOthers(path: path, mode: info.st_mode & 0o777)
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw .unreadable(path: path, reason: "not readable UTF-8 text")
        }
        var tokens: [AccessToken] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.isEmpty { continue }
            let at = "\(path):\(index + 1)"
            guard fields.count == 3 else { throw .badLine(at, "expected <id> <role> <sha256-hex>") }
            let id = String(fields[0])
            guard let role = Role(rawValue: String(fields[1])) else {
                throw .badLine(at, "role '\(fields[1])' is not one of read, operate")
            }
            guard let hash = Self.hex(fields[2]), hash.count == 32 else {
                throw .badLine(at, "the hash must be 64 hex digits (SHA-256)")
            }
            guard !tokens.contains(where: { $0.id == id }) else { throw .badLine(at, "id '\(id)' appears twice") }
            tokens.append(AccessToken(id: id, role: role, hash: hash))
        }
        return tokens
    }

    /// Adds a token to `path` (created with mode 0600 if missing) and returns its secret, which
    /// is shown once and stored nowhere.
    public static func create(id: String, role: Role, in path: String) throws(TokenFileError) -> String {
        guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || "-_.@".contains($0) }) else {
            throw .badID(id)
        }
        let existing = FileManager.default.fileExists(atPath: path) ? try load(path) : []
        guard !existing.contains(where: { $0.id == id }) else { throw .duplicateID(id: id, path: path) }
        let secret = try AccessToken.generateSecret()
        let line = "\(id) \(role.rawValue) \(AccessToken.hash(secret).map { String(format: "%02x", $0) }.joined())\n"
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let bytes = Array(line.utf8)
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count, fsync(fd) == 0 else {
            throw .unreadable(path: path, reason: "write failed: \(String(cString: strerror(errno)))")
        }
        return secret
    }

    private static func hex(_ s: Substring) -> [UInt8]? {
        guard s.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var i = s.startIndex
        while i < s.endIndex {
            let j = s.index(i, offsetBy: 2)
            guard let b = UInt8(s[i..<j], radix: 16) else { return nil }
            out.append(b)
            i = j
        }
        return out
    }
}

/// What is wrong with a tokens file, naming the file (and line).
public enum TokenFileError: Error, Equatable, CustomStringConvertible, Sendable {
    case unreadable(path: String, reason: String)
    case writableByOthers(path: String, mode: mode_t)
    case badLine(String, String)
    case badID(String)
    case duplicateID(id: String, path: String)
    case noRandomness

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "tokens file \(path): \(reason)"
        case .writableByOthers(let path, let mode):
            "tokens file \(path): mode \(String(mode, radix: 8)) lets group or others write it (whoever can write it grants access); chmod go-w"
        case .badLine(let at, let reason): "tokens file \(at): \(reason)"
        case .badID(let id): "token id '\(id)': use letters, digits and - _ . @"
        case .duplicateID(let id, let path): "tokens file \(path): id '\(id)' exists already"
        case .noRandomness: "the system's random generator failed"
        }
    }
}

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where fluxiond keeps state that must outlive it (the alert store).
enum DataDirectory {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Creates `path` (and its parents) if missing and checks that it is a writable directory.
    static func prepare(_ path: String) throws(Failure) {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            // mkdir -p by hand: errno gives a reason a person can act on.
            var prefix = path.hasPrefix("/") ? "" : "."
            for part in path.split(separator: "/") {
                prefix += "/" + part
                if mkdir(prefix, 0o755) != 0, errno != EEXIST {
                    throw Failure(
                        description:
                            "data directory \(path): cannot create \(prefix): \(String(cString: strerror(errno)))")
                }
            }
        } else if !isDirectory.boolValue {
            throw Failure(description: "data directory \(path): exists and is not a directory")
        }
        guard access(path, W_OK | X_OK) == 0 else {
            throw Failure(description: "data directory \(path): not writable: \(String(cString: strerror(errno)))")
        }
    }

    /// Takes an exclusive lock on `path` for the life of this process (`flock` on
    /// `fluxiond.lock`, which holds the owner's pid): two servers on one data directory would
    /// both hand out the same alert ids and overwrite each other's rows. The kernel drops the
    /// lock when the process ends, however it ends, so a crash never leaves it stale.
    /// - Returns: the descriptor that holds the lock (kept open until exit).
    @discardableResult
    static func lock(_ path: String) throws(Failure) -> Int32 {
        let lockPath = path + "/fluxiond.lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw Failure(
                description: "data directory \(path): cannot open \(lockPath): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = read(fd, &buffer, buffer.count)
            let owner =
                n > 0
                ? String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
            close(fd)
            if reason == EWOULDBLOCK {
                throw Failure(
                    description:
                        "data directory \(path) is in use by another fluxiond\(owner.isEmpty ? "" : " (pid \(owner))"); give each server its own --data"
                )
            }
            throw Failure(
                description: "data directory \(path): cannot lock \(lockPath): \(String(cString: strerror(reason)))")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return fd
    }
}

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The built products (fluxiond, fluxion) next to the test bundle.
enum Products {
    static var directory: URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug"),
        ]
        return candidates.first {
            FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("fluxiond").path)
        }
            ?? candidates[0]
    }

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
}

/// fluxiond as a child process on a free port. Killed on every path: `stop()` sends SIGTERM and
/// falls back to SIGKILL after a bounded wait; deinit does the same if a test forgot.
final class ServerProcess {
    let process = Process()
    let port: Int
    private let stdout = Pipe()
    private let stderr = Pipe()
    private(set) var exitStatus: Int32?
    /// A data directory made for this process when the arguments name none (removed on deinit),
    /// so that tests never write to the user's state directory.
    private var ownDataDirectory: URL?

    init(_ arguments: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: Products.path("fluxiond"))
        var extra: [String] = []
        if !arguments.contains("--data") {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
                "fluxiond-test-\(UUID().uuidString)")
            ownDataDirectory = dir
            extra = ["--data", dir.path]
        }
        process.arguments = ["--port", "0", "--log-level", "warning"] + extra + arguments
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Read stdout byte by byte up to the first newline: "listening on HOST:PORT".
        var line = [UInt8]()
        let fd = stdout.fileHandleForReading.fileDescriptor
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1, byte != UInt8(ascii: "\n") { line.append(byte) }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("listening on "), let colon = text.lastIndex(of: ":"),
            let port = Int(text[text.index(after: colon)...])
        else {
            process.terminate()
            throw ServerProcessError("fluxiond did not print 'listening on HOST:PORT'; printed '\(text)'")
        }
        self.port = port
    }

    /// Sends `signal` and waits (bounded) for the exit; SIGKILL if it does not come.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) -> Int32 {
        if let exitStatus { return exitStatus }
        if process.isRunning { kill(process.processIdentifier, signal) }
        for _ in 0..<1000 where process.isRunning { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        process.waitUntilExit()
        exitStatus = process.terminationStatus
        return exitStatus!
    }

    var stderrText: String {
        String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        if let ownDataDirectory { try? FileManager.default.removeItem(at: ownDataDirectory) }
    }
}

struct ServerProcessError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Runs a product (e.g. the fluxion CLI) to completion; returns exit code, stdout, stderr.
func runProduct(
    _ name: String, _ arguments: [String], environment: [String: String] = [:]
) throws -> (status: Int32, out: String, err: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: Products.path(name))
    p.arguments = arguments
    // A state directory of its own (XDG_STATE_HOME), so that a product run without --data never
    // reads or writes the user's ~/.local/state/fluxion (a store another build left there must
    // not decide a test).
    let state = FileManager.default.temporaryDirectory.appendingPathComponent("fluxion-state-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: state) }
    p.environment = ProcessInfo.processInfo.environment.merging(["XDG_STATE_HOME": state.path]) { $1 }
        .merging(environment) { $1 }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

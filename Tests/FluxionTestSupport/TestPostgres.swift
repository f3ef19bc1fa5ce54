import Foundation
import Testing

/// A real PostgreSQL server (Debian's `postgresql` package, installed by scripts/setup.sh) made
/// by the test in a temporary directory: `initdb`, then `pg_ctl start` on a free TCP port of
/// 127.0.0.1 with its unix socket in the same directory; stopped (`pg_ctl stop -m fast`, then
/// SIGKILL) and removed by `stop()`, which `TestPostgres.scope` calls on every path.
///
/// Root: `initdb` and `postgres` refuse to run as root, and CI may run the tests as root. Then
/// both run as the unprivileged `nobody` (`runuser -u nobody`), in a directory owned by it;
/// otherwise as the test's own user. Authentication is `trust` on loopback (one role,
/// `fluxion`), which is fine for a server that lives in a 0700 temp dir for one test process.
///
/// A watchdog (`sh`) kills the server if the test process dies without stopping it (a crash, a
/// SIGKILL from a harness), so no server outlives its tests.
public final class TestPostgres: @unchecked Sendable {
    public let port: Int
    public let directory: URL
    private let bin: String
    private var stopped = false
    private let lock = NSLock()

    /// The database every test may use; `createDatabase` makes private ones.
    public var url: String { url(database: "postgres") }
    public func url(database: String) -> String { "postgresql://fluxion@127.0.0.1:\(port)/\(database)" }
    var dataDirectory: URL { directory.appendingPathComponent("data") }
    var socketDirectory: URL { directory.appendingPathComponent("sock") }

    /// The directory of the newest installed PostgreSQL's programs, or nil.
    public static var binDirectory: String? {
        let base = "/usr/lib/postgresql"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        for version in names.compactMap({ Int($0) }).sorted(by: >) {
            let bin = "\(base)/\(version)/bin"
            if access(bin + "/initdb", X_OK) == 0 { return bin }
        }
        return nil
    }

    static var runsAsRoot: Bool { geteuid() == 0 }

    /// Makes and starts a server. Throws with the tool's output when anything fails.
    public init() throws {
        guard let bin = Self.binDirectory else {
            throw Failure("no PostgreSQL under /usr/lib/postgresql: run scripts/setup.sh (apt package postgresql)")
        }
        self.bin = bin
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
            "fluxion-pg-\(getpid())-\(UUID().uuidString.prefix(8))")
        directory = dir
        let data = dir.appendingPathComponent("data").path
        let sock = dir.appendingPathComponent("sock").path
        try FileManager.default.createDirectory(atPath: sock, withIntermediateDirectories: true)
        var started = false
        defer { if !started { try? FileManager.default.removeItem(at: dir) } }
        if Self.runsAsRoot {
            for path in [dir.path, sock] {
                try FileManager.default.setAttributes(
                    [.ownerAccountID: 65534, .groupOwnerAccountID: 65534, .posixPermissions: 0o700], ofItemAtPath: path)
            }
        }
        try Self.run(
            "\(bin)/initdb", ["-D", data, "-U", "fluxion", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"])
        var lastError: (any Error)?
        for _ in 0..<3 {
            let port = try Self.freePort()
            do {
                try Self.run("\(bin)/pg_ctl", Self.startArguments(data: data, directory: dir.path, port: port))
                self.port = port
                started = true
                watch()
                return
            } catch {
                lastError = error
            }
        }
        throw lastError ?? Failure("pg_ctl start failed")
    }

    deinit { stop() }

    /// The server's process id (from postmaster.pid), if it runs.
    public var pid: pid_t? {
        guard
            let text = try? String(contentsOf: dataDirectory.appendingPathComponent("postmaster.pid"), encoding: .utf8),
            let first = text.split(separator: "\n").first
        else { return nil }
        return pid_t(first)
    }

    /// Stops the server (fast shutdown, like a restart by an operator); `start` brings it back
    /// on the same port with the same data.
    public func stopServer() throws {
        try Self.run("\(bin)/pg_ctl", ["-D", dataDirectory.path, "-m", "fast", "-w", "-t", "30", "stop"])
    }

    public func startServer() throws {
        try Self.run(
            "\(bin)/pg_ctl", Self.startArguments(data: dataDirectory.path, directory: directory.path, port: port))
        watch()
    }

    static func startArguments(data: String, directory: String, port: Int) -> [String] {
        [
            "-D", data, "-l", directory + "/server.log", "-w", "-t", "30", "-o",
            "-p \(port) -k \(directory)/sock -c listen_addresses=127.0.0.1 -c max_connections=200", "start",
        ]
    }

    /// Creates an empty database and returns its URL.
    public func createDatabase(_ name: String = "t_\(UUID().uuidString.prefix(8).lowercased())") throws -> String {
        try Self.run(
            "\(bin)/psql",
            [
                "-X", "-q", "-h", socketDirectory.path, "-p", "\(port)", "-U", "fluxion",
                "-d", "postgres", "-c", "CREATE DATABASE \(name)",
            ], asServerUser: false)
        return url(database: name)
    }

    /// Runs SQL with psql and returns its unaligned output.
    @discardableResult
    public func psql(_ sql: String, database: String) throws -> String {
        try Self.run(
            "\(bin)/psql",
            [
                "-X", "-q", "-A", "-t", "-h", socketDirectory.path, "-p", "\(port)", "-U",
                "fluxion", "-d", database, "-c", sql,
            ], asServerUser: false)
    }

    /// Stops the server (SIGKILL if a fast shutdown does not end it in 20 s) and removes its
    /// directory. Idempotent.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        let pid = self.pid
        if (try? Self.run("\(bin)/pg_ctl", ["-D", dataDirectory.path, "-m", "fast", "-w", "-t", "20", "stop"])) == nil,
            let pid
        {
            kill(pid, SIGKILL)
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Kills the server when this process is gone (checked every second).
    private func watch() {
        guard let pid else { return }
        let watchdog = Process()
        watchdog.executableURL = URL(fileURLWithPath: "/bin/sh")
        watchdog.arguments = [
            "-c",
            "while kill -0 \(getpid()) 2>/dev/null && kill -0 \(pid) 2>/dev/null; do sleep 1; done; kill -9 \(pid) 2>/dev/null; true",
        ]
        watchdog.standardOutput = FileHandle.nullDevice
        watchdog.standardError = FileHandle.nullDevice
        try? watchdog.run()
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ d: String) { description = d }
    }

    /// Runs a PostgreSQL program (as `nobody` when we are root) and returns its output.
    ///
    /// posix_spawn and waitpid, not Foundation.Process: `pg_ctl start` leaves a daemon behind,
    /// and Process.waitUntilExit was seen never to return for it (the exited runuser stayed a
    /// zombie). Output goes to a file: a pipe inherited by the server would never reach EOF.
    @discardableResult
    static func run(_ tool: String, _ args: [String], asServerUser: Bool = true) throws -> String {
        let argv =
            (asServerUser && runsAsRoot) ? ["/usr/sbin/runuser", "-u", "nobody", "--", tool] + args : [tool] + args
        let outPath = NSTemporaryDirectory() + "fluxion-pg-tool-\(getpid())-\(UUID().uuidString.prefix(8)).out"
        defer { try? FileManager.default.removeItem(atPath: outPath) }
        let pid = try spawn(argv, output: outPath, append: false)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self)
        let exited = status & 0x7f == 0
        let code = (status >> 8) & 0xff
        guard exited && code == 0 else {
            throw Failure(
                "\((tool as NSString).lastPathComponent) \(args.joined(separator: " ")): \(exited ? "exit \(code)" : "signal \(status & 0x7f)"): \(output)"
            )
        }
        return output
    }

    /// A TCP port of 127.0.0.1 free right now.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket: errno \(errno)") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p in
                bind(fd, p, len) == 0 && getsockname(fd, p, &len) == 0
            }
        }
        guard bound else { throw Failure("bind: errno \(errno)") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

extension TestPostgres {
    /// The server of the running suite (`.postgres` trait).
    @TaskLocal public static var current: TestPostgres?

    /// The current suite's server, or a test failure saying why there is none.
    public static func require() throws -> TestPostgres {
        guard let current else { throw Failure("no PostgreSQL for this test: give its suite the .postgres trait") }
        return current
    }
}

/// Gives a suite one PostgreSQL server for all its tests (started before the first, stopped
/// after the last, on every path): `@Suite(.postgres)`, then `TestPostgres.require()`.
public struct PostgresScope: SuiteTrait, TestScoping {
    public var isRecursive: Bool { false }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let server = try TestPostgres()
        defer { server.stop() }
        try await TestPostgres.$current.withValue(server) { try await function() }
    }
}

extension Trait where Self == PostgresScope {
    /// One real PostgreSQL server for the suite (see `TestPostgres`).
    public static var postgres: Self { PostgresScope() }
}

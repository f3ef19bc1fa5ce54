import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real MQTT broker (Debian's `mosquitto`, installed by scripts/setup.sh) started by the test
/// on a free port of 127.0.0.1, with its configuration and log in a temporary directory.
/// `stop()` (SIGTERM, then SIGKILL after 5 s) ends it and removes the directory; deinit does the
/// same if a test forgot. `restart(after:)` kills it and starts it again on the same port (a
/// broker restart in the middle of a stream). A watchdog (`sh`) kills it if the test process
/// dies without stopping it, so no broker outlives its tests.
public final class TestMosquitto: @unchecked Sendable {
    public let port: Int
    public let directory: URL
    private var pid: pid_t = 0
    private let lock = NSLock()
    private var stopped = false

    /// The broker's URL for fluxiond and fluxion.
    public var url: String { "mqtt://127.0.0.1:\(port)" }

    public static let executable = "/usr/sbin/mosquitto"

    /// - Parameters: tls: the listener's certificate and key (PEM files): the broker speaks TLS
    ///   only; passwordFile: a mosquitto_passwd file: anonymous clients are refused.
    public init(tls: (cert: String, key: String)? = nil, passwordFile: String? = nil) throws {
        guard access(Self.executable, X_OK) == 0 else {
            throw TestPostgres.Failure("no \(Self.executable): run scripts/setup.sh (apt package mosquitto)")
        }
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
            "fluxion-mqtt-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try TestPostgres.freePort()
        var security = "allow_anonymous true\n"
        if let tls { security += "certfile \(tls.cert)\nkeyfile \(tls.key)\n" }
        if let passwordFile {
            security = security.replacingOccurrences(of: "true", with: "false") + "password_file \(passwordFile)\n"
        }
        let config = """
            listener \(port) 127.0.0.1
            \(security)
            persistence false
            set_tcp_nodelay true
            log_dest stdout
            log_type error
            log_type warning
            log_type notice

            """
        try config.write(to: directory.appendingPathComponent("mosquitto.conf"), atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        try start()
    }

    deinit { stop() }

    /// Starts the broker and waits (≤ 10 s) until it accepts connections.
    public func start() throws {
        lock.lock()
        defer { lock.unlock() }
        let conf = directory.appendingPathComponent("mosquitto.conf").path
        let log = directory.appendingPathComponent("mosquitto.log").path
        let child = try spawn([Self.executable, "-c", conf], output: log, append: true)
        pid = child
        watch(child)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if Self.accepts(port) { return }
            var status: Int32 = 0
            if waitpid(child, &status, WNOHANG) == child {
                pid = 0
                throw TestPostgres.Failure("mosquitto exited at start: \(logText)")
            }
            usleep(20_000)
        }
        kill(child, SIGKILL)
        throw TestPostgres.Failure("mosquitto did not accept connections on port \(port) within 10 s: \(logText)")
    }

    /// Kills the broker (SIGKILL: no goodbye to its clients, as a crash or a power cut).
    public func kill9() {
        lock.lock()
        defer { lock.unlock() }
        guard pid > 0 else { return }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        pid = 0
    }

    /// The broker's log so far.
    public var logText: String {
        (try? String(contentsOf: directory.appendingPathComponent("mosquitto.log"), encoding: .utf8)) ?? ""
    }

    /// Stops the broker and removes its directory. Idempotent.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        if pid > 0 {
            kill(pid, SIGTERM)
            var status: Int32 = 0
            var waited = 0
            while waitpid(pid, &status, WNOHANG) == 0 {
                if waited >= 500 {
                    kill(pid, SIGKILL)
                    waitpid(pid, &status, 0)
                    break
                }
                usleep(10_000)
                waited += 1
            }
            pid = 0
        }
        try? FileManager.default.removeItem(at: directory)
    }

    private static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Kills the broker when this process is gone (checked every second).
    private func watch(_ child: pid_t) {
        let watchdog = Process()
        watchdog.executableURL = URL(fileURLWithPath: "/bin/sh")
        watchdog.arguments = [
            "-c",
            "while kill -0 \(getpid()) 2>/dev/null && kill -0 \(child) 2>/dev/null; do sleep 1; done; kill -9 \(child) 2>/dev/null; true",
        ]
        watchdog.standardOutput = FileHandle.nullDevice
        watchdog.standardError = FileHandle.nullDevice
        try? watchdog.run()
    }
}

import FluxionClient
import FluxionWire
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// What an operator deploys: `scripts/install.sh` (what `make install` runs) into a temporary
/// prefix, the shipped unit checked by `systemd-analyze verify`, the installed fluxiond started
/// from a configuration file, with its readiness sent to systemd and its log fit for journald.
@Suite struct InstallTests {
    let prefix: URL

    init() throws {
        prefix = FileManager.default.temporaryDirectory.appendingPathComponent("fluxion-install-\(UUID().uuidString)")
    }

    private func install() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [root.appendingPathComponent("scripts/install.sh").path, prefix.path, Products.directory.path]
        p.standardOutput = Pipe()
        let err = Pipe()
        p.standardError = err
        try p.run()
        p.waitUntilExit()
        #expect(
            p.terminationStatus == 0,
            "\(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")
    }

    @Test func anInstalledServerRunsFromItsConfigurationWithOnlyTheProductsPlugins() throws {
        defer { try? FileManager.default.removeItem(at: prefix) }
        try install()
        let plugins = try FileManager.default.contentsOfDirectory(
            atPath: prefix.appendingPathComponent("lib/fluxion/plugins").path)
        #expect(plugins.sorted() == ["liblof.so", "libpinn.so", "libthreshold.so"])
        let shipped = try FileManager.default.contentsOfDirectory(
            atPath: prefix.appendingPathComponent("share/fluxion/models").path)
        #expect(shipped.contains("pinn-absheron.model"))

        // The unit as shipped passes systemd's own check (it fails on a unit naming a missing binary).
        let unit = prefix.appendingPathComponent("lib/systemd/system/fluxiond.service").path
        let verify = Process()
        verify.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        verify.arguments = ["verify", unit]
        let verifyErr = Pipe()
        verify.standardError = verifyErr
        verify.standardOutput = Pipe()
        try verify.run()
        verify.waitUntilExit()
        let complaints = String(decoding: verifyErr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(verify.terminationStatus == 0 && complaints.isEmpty, "\(complaints)")

        // The installed binary, its configuration file, systemd's readiness socket and journald.
        let data = prefix.appendingPathComponent("state").path
        let config = prefix.appendingPathComponent("fluxiond.yaml").path
        try """
        port: 0
        data: \(data)
        detector: [threshold]
        warm-up: 600
        paused: true
        log-level: info
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let notify = prefix.appendingPathComponent("notify.sock").path
        let sock = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(sock) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(notify.utf8)) }
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(sock, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        let server = Process()
        server.executableURL = prefix.appendingPathComponent("bin/fluxiond")
        server.arguments = ["--config", config]
        server.environment = ProcessInfo.processInfo.environment.merging([
            "NOTIFY_SOCKET": notify, "JOURNAL_STREAM": "8:12345",
        ]) { $1 }
        let out = Pipe(), err = Pipe()
        server.standardOutput = out
        server.standardError = err
        try server.run()
        defer {
            if server.isRunning { kill(server.processIdentifier, SIGKILL) }
            server.waitUntilExit()
        }
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = recv(sock, &buffer, buffer.count, 0)
        let ready = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
        #expect(ready.hasPrefix("READY=1\nSTATUS=listening on 127.0.0.1:"), "\(ready)")
        let port = Int(ready.split(separator: ":").last ?? "") ?? 0

        let list = try runProduct("fluxion", ["detectors", "list", "--json", "--server", "127.0.0.1:\(port)"])
        let detectors = try JSONSerialization.jsonObject(with: Data(list.out.utf8)) as? [[String: Any]] ?? []
        #expect(detectors.map { $0["name"] as? String ?? "" } == ["threshold", "lof", "pinn"], "\(list.out)")
        #expect(detectors.first?["state"] as? String == "active")

        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()
        #expect(server.terminationStatus == 0)
        let stopping = recv(sock, &buffer, buffer.count, 0)
        #expect(stopping > 0 && String(decoding: buffer[0..<stopping], as: UTF8.self) == "STOPPING=1")
        let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let lines = log.split(separator: "\n")
        #expect(!lines.isEmpty && lines.allSatisfy { $0.hasPrefix("<") }, "journald lines carry their priority: \(log)")
        #expect(lines.contains { $0.hasPrefix("<6>warm start: 600.0 s") }, "\(log)")
        #expect(lines.contains { $0.hasPrefix("<4>access: no --tokens") }, "\(log)")
    }
}

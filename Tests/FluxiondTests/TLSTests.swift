import FluxionClient
import FluxionTLS
import FluxionWire
import Foundation
import Testing

/// TLS in fluxiond (`--tls-cert`, `--tls-key`) with certificates made by the `openssl` command:
/// the CLI and the Swift client speak it, tokens travel inside it, a plaintext client is told,
/// and a certificate that does not verify is refused with OpenSSL's reason.
@Suite struct TLSTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fluxion-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// A self-signed certificate for `names` (subjectAltName), with its key.
    private func certificate(_ label: String, names: String) throws -> (cert: String, key: String) {
        let cert = directory.appendingPathComponent("\(label).crt").path
        let key = directory.appendingPathComponent("\(label).key").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
            "-subj", "/CN=fluxion-test", "-addext", "subjectAltName=\(names)", "-keyout", key, "-out", cert,
        ]
        p.standardError = Pipe()
        p.standardOutput = Pipe()
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        return (cert, key)
    }

    @Test func theCLIAndTheSwiftClientSpeakTLSWithTokensInside() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let (cert, key) = try certificate("server", names: "DNS:localhost,IP:127.0.0.1")
        let tokens = directory.appendingPathComponent("tokens").path
        let create = try runProduct(
            "fluxion", ["token", "create", "--file", tokens, "--id", "ops", "--role", "operate"])
        let secret = create.out.trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try ServerProcess(["--tls-cert", cert, "--tls-key", key, "--tokens", tokens, "--paused"])
        defer { server.stop() }

        for host in ["127.0.0.1", "localhost"] {
            let health = try runProduct("fluxion", ["health", "--server", "\(host):\(server.port)", "--ca-file", cert])
            #expect(health.status == 0, "\(host): \(health.err)")
            #expect(health.out.contains("SERVING"))
        }
        let inject = try runProduct(
            "fluxion",
            [
                "inject-leak", "--pipe", "T2", "--at", "12000", "--size", "0.02", "--server",
                "127.0.0.1:\(server.port)",
                "--ca-file", cert,
            ], environment: ["FLUXION_TOKEN": secret])
        #expect(inject.status == 0, "\(inject.err)")

        // A long stream through TLS: many records, decrypted on the reader while calls go out.
        let client = try FluxionConnection(
            host: "127.0.0.1", port: server.port, callTimeout: 20, token: secret,
            tls: try TLSContext.client(caFile: cert))
        defer { client.close() }
        let _: Wire.Clock = try client.unary(Wire.Fluxion.setClock, Wire.SetClockRequest(freeRunning: true))
        let stream: ClientStream<Wire.ReadingBatch> = try client.serverStream(
            Wire.Fluxion.streamReadings, Wire.StreamReadingsRequest())
        var batches = 0
        while batches < 300, let batch = try stream.next() {
            #expect(!batch.readings.isEmpty)
            batches += 1
            if batches % 100 == 0 {
                let leaks: Wire.ListLeaksResponse = try client.unary(Wire.Fluxion.listLeaks, Wire.ListLeaksRequest())
                #expect(leaks.leaks.count == 1)
            }
        }
        stream.cancel()
        #expect(batches == 300)
    }

    @Test func plaintextClientsAndUntrustedCertificatesAreRefusedClearly() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let (cert, key) = try certificate("server", names: "DNS:localhost,IP:127.0.0.1")
        let (other, _) = try certificate("other", names: "DNS:localhost,IP:127.0.0.1")
        let (wrongName, wrongKey) = try certificate("wrong", names: "DNS:elsewhere.example")
        let server = try ServerProcess(["--tls-cert", cert, "--tls-key", key])
        defer { server.stop() }
        let address = "127.0.0.1:\(server.port)"

        let plain = try runProduct("fluxion", ["health", "--server", address])
        #expect(plain.status != 0)
        #expect(plain.err.contains("this port speaks TLS"), "\(plain.err)")
        let untrusted = try runProduct("fluxion", ["health", "--server", address, "--ca-file", other])
        #expect(untrusted.status != 0)
        #expect(untrusted.err.contains("certificate verify failed"), "\(untrusted.err)")
        let ok = try runProduct("fluxion", ["health", "--server", address, "--ca-file", cert])
        #expect(ok.status == 0, "\(ok.err)")

        let misnamed = try ServerProcess(["--tls-cert", wrongName, "--tls-key", wrongKey])
        defer { misnamed.stop() }
        let r = try runProduct("fluxion", ["health", "--server", "127.0.0.1:\(misnamed.port)", "--ca-file", wrongName])
        #expect(r.status != 0)
        #expect(r.err.contains("certificate verify failed: IP address mismatch"), "\(r.err)")

        let mismatched = try runProduct("fluxiond", ["--port", "0", "--tls-cert", cert, "--tls-key", wrongKey])
        #expect(mismatched.status != 0)
        #expect(mismatched.err.contains("wrong.key") && mismatched.err.contains("mismatch"), "\(mismatched.err)")
    }
}

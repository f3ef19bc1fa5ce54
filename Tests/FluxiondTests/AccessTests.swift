import FluxionClient
import FluxionWire
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Tokens end to end: `fluxion token create`, fluxiond `--tokens`, the CLI's `--token-file` and
/// `FLUXION_TOKEN`, the Swift client, the audit trail and SIGHUP.
@Suite struct AccessTests {
    let directory: URL
    let tokens: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fluxion-access-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        tokens = directory.appendingPathComponent("tokens").path
    }

    private func create(_ id: String, _ role: String) throws -> String {
        let r = try runProduct("fluxion", ["token", "create", "--file", tokens, "--id", id, "--role", role])
        #expect(r.status == 0, "\(r.err)")
        let secret = r.out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(secret.hasPrefix("flx_") && secret.count == 68)
        return secret
    }

    private func write(_ secret: String, _ name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try (secret + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func tokensGateMutationsEndToEndAndEveryAcceptedOneIsAudited() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let ops = try create("ops", "operate")
        let viewer = try create("viewer", "read")
        var info = stat()
        stat(tokens, &info)
        #expect(info.st_mode & 0o777 == 0o600)
        let text = try String(contentsOfFile: tokens, encoding: .utf8)
        #expect(!text.contains(ops) && !text.contains(viewer), "the file holds hashes only")
        let listed = try runProduct("fluxion", ["token", "list", "--file", tokens])
        #expect(listed.out == "ops\toperate\nviewer\tread\n")

        let data = directory.appendingPathComponent("data").path
        let server = try ServerProcess(["--tokens", tokens, "--data", data, "--paused"])
        defer { server.stop() }
        let address = ["--server", "127.0.0.1:\(server.port)"]
        let inject = ["inject-leak", "--pipe", "T2", "--at", "12000", "--size", "0.02"] + address

        let anonymous = try runProduct("fluxion", inject)
        #expect(anonymous.status != 0)
        #expect(anonymous.err.contains("UNAUTHENTICATED: InjectLeak needs a token"), "\(anonymous.err)")
        let reader = try runProduct("fluxion", inject + ["--token-file", try write(viewer, "viewer.token")])
        #expect(
            reader.err.contains(
                "PERMISSION_DENIED: InjectLeak needs a token with role operate; token 'viewer' has role read"),
            "\(reader.err)")
        let forged = try runProduct("fluxion", inject, environment: ["FLUXION_TOKEN": ops + "0"])
        #expect(forged.err.contains("UNAUTHENTICATED: InjectLeak the token is not valid"), "\(forged.err)")
        #expect(!forged.err.contains(ops))
        let operated = try runProduct("fluxion", inject, environment: ["FLUXION_TOKEN": ops])
        #expect(operated.status == 0, "\(operated.err)")
        // Reads stay open by default; Health always.
        #expect(try runProduct("fluxion", ["leaks"] + address).status == 0)
        // A call that passes the token check but fails its own validation is audited too.
        let client = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 20, token: ops)
        defer { client.close() }
        #expect(throws: RPCError.self) {
            let _: Wire.ClearLeakResponse = try client.unary(
                Wire.Fluxion.clearLeak, Wire.ClearLeakRequest(leakID: "L99"))
        }

        server.stop()
        let audit = try runProduct("fluxion", ["audit", "--data", data, "--json"])
        #expect(audit.status == 0, "\(audit.err)")
        let entries = try JSONSerialization.jsonObject(with: Data(audit.out.utf8)) as? [[String: Any]] ?? []
        #expect(entries.count == 2, "\(entries)")
        #expect(entries.first?["method"] as? String == "InjectLeak")
        #expect(entries.first?["token_id"] as? String == "ops")
        #expect(entries.first?["status"] as? String == "OK")
        #expect((entries.first?["arguments"] as? String)?.contains(#"pipe_id="T2""#) == true, "\(entries)")
        #expect((entries.first?["peer"] as? String)?.hasPrefix("127.0.0.1:") == true)
        #expect(entries.last?["method"] as? String == "ClearLeak")
        #expect(entries.last?["status"] as? String == "NOT_FOUND")
        let text2 = try runProduct("fluxion", ["audit", "--data", data, "--method", "ClearLeak"])
        #expect(
            text2.out.contains("ops@127.0.0.1:") && text2.out.contains(#"ClearLeak leak_id="L99"  → NOT_FOUND"#),
            "\(text2.out)")
    }

    @Test func readAccessTokenGatesReadsAndSIGHUPReloadsTheFile() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let viewer = try create("viewer", "read")
        let server = try ServerProcess(["--tokens", tokens, "--read-access", "token"])
        defer { server.stop() }
        let anonymous = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 20)
        defer { anonymous.close() }
        let health: Wire.HealthResponse = try anonymous.unary(Wire.Fluxion.health, Wire.HealthRequest())
        #expect(health.status == .serving)
        let e = #expect(throws: RPCError.self) {
            let _: Wire.ListLeaksResponse = try anonymous.unary(Wire.Fluxion.listLeaks, Wire.ListLeaksRequest())
        }
        #expect(e?.code == .unauthenticated)
        let reader = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 20, token: viewer)
        defer { reader.close() }
        let _: Wire.ListLeaksResponse = try reader.unary(Wire.Fluxion.listLeaks, Wire.ListLeaksRequest())

        // A token created while the server runs works after SIGHUP, not before.
        let late = try create("late", "read")
        let lateClient = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 20, token: late)
        defer { lateClient.close() }
        #expect(throws: RPCError.self) {
            let _: Wire.ListLeaksResponse = try lateClient.unary(Wire.Fluxion.listLeaks, Wire.ListLeaksRequest())
        }
        kill(server.process.processIdentifier, SIGHUP)
        var accepted = false
        for _ in 0..<100 where !accepted {
            usleep(50_000)
            accepted =
                (try? lateClient.unary(Wire.Fluxion.listLeaks, Wire.ListLeaksRequest()) as Wire.ListLeaksResponse)
                != nil
        }
        #expect(accepted)
        #expect(server.process.isRunning)
    }

    @Test func listeningBeyondLoopbackNeedsTokensAndABadTokensFileStopsTheStart() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let open = try runProduct("fluxiond", ["--host", "0.0.0.0", "--port", "0"])
        #expect(open.status != 0)
        #expect(open.err.contains("--host 0.0.0.0 is not loopback: give --tokens FILE"), "\(open.err)")
        _ = try create("ops", "operate")
        chmod(tokens, 0o666)
        let loose = try runProduct("fluxiond", ["--port", "0", "--tokens", tokens])
        #expect(loose.status != 0)
        #expect(loose.err.contains("tokens file \(tokens): mode 666 lets group or others write it"), "\(loose.err)")
        chmod(tokens, 0o600)
        try "ops operate nothex\n".write(toFile: tokens, atomically: true, encoding: .utf8)
        chmod(tokens, 0o600)
        let bad = try runProduct("fluxiond", ["--port", "0", "--tokens", tokens])
        #expect(bad.err.contains("tokens file \(tokens):1: the hash must be 64 hex digits (SHA-256)"), "\(bad.err)")
    }
}

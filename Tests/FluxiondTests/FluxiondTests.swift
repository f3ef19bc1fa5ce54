import FluxionClient
import FluxionWire
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct FluxiondTests {
    @Test func servesHealthAndExitsZeroOnSIGTERM() throws {
        let server = try ServerProcess()
        defer { server.stop(signal: SIGKILL) }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port)
        let health: Wire.HealthResponse = try conn.unary(Wire.Fluxion.health, Wire.HealthRequest())
        #expect(health.status == .serving)
        conn.close()
        #expect(server.stop(signal: SIGTERM) == 0)
    }

    @Test func sigintEndsOpenConnectionsWithGoAwayAndExitsZero() throws {
        let server = try ServerProcess()
        defer { server.stop(signal: SIGKILL) }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port)
        defer { conn.close() }
        #expect(try conn.ping() >= 0)
        #expect(server.stop(signal: SIGINT) == 0)
        let e = #expect(throws: RPCError.self) {
            let _: Wire.HealthResponse = try conn.unary(Wire.Fluxion.health, Wire.HealthRequest())
        }
        #expect(e?.code == .unavailable)
    }

    @Test func cliHealthPrintsStateAndJSON() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let address = "127.0.0.1:\(server.port)"
        let text = try runProduct("fluxion", ["health", "--server", address])
        #expect(text.status == 0)
        #expect(text.out.hasPrefix("\(address): SERVING, up "))
        let json = try runProduct("fluxion", ["health", "--server", address, "--json"])
        #expect(json.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any]
        #expect(object?["status"] as? String == "SERVING")
        #expect(object?["server"] as? String == address)
    }

    @Test func cliInfoListsUnimplementedMethods() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let r = try runProduct("fluxion", ["info", "--server", "127.0.0.1:\(server.port)", "--json"])
        #expect(r.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
        let methods = object?["methods"] as? [[String: Any]] ?? []
        #expect(methods.count == Wire.Fluxion.methods.count)
        let health = methods.first { ($0["name"] as? String) == "fluxion.v1.Fluxion/Health" }
        #expect(health?["implemented"] as? Bool == true)
    }

    @Test func cliFailsWithOneLineWhenTheServerIsUnreachable() throws {
        // Bind a port and close it again so that nothing listens there.
        let server = try ServerProcess()
        let port = server.port
        #expect(server.stop() == 0)
        let r = try runProduct("fluxion", ["health", "--server", "127.0.0.1:\(port)"])
        #expect(r.status != 0)
        #expect(r.out.isEmpty)
        let lines = r.err.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(r.err.contains("UNAVAILABLE: cannot connect to 127.0.0.1:\(port): Connection refused"))
    }

    @Test func cliRejectsABadServerAddress() throws {
        let r = try runProduct("fluxion", ["health", "--server", "nonsense"])
        #expect(r.status != 0)
        #expect(r.err.contains("--server must be HOST:PORT, got 'nonsense'"))
    }

    @Test func fluxiondRejectsBadFlagsWithOneLine() throws {
        let r = try runProduct("fluxiond", ["--port", "70000"])
        #expect(r.status != 0)
        #expect(r.err.contains("--port must be 0...65535, got 70000"))
        let taken = try ServerProcess()
        defer { taken.stop() }
        let clash = try runProduct("fluxiond", ["--port", "\(taken.port)"])
        #expect(clash.status == 1)
        #expect(clash.err.contains("address already in use"))
    }
}

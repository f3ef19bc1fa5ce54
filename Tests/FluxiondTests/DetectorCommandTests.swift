import FluxionTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real fluxiond with `--detector threshold` and the real `fluxion detectors` commands against
/// it; plugins from a directory holding the broken test plugins too (`PluginFixtures`).
@Suite struct DetectorCommandTests {
    @Test func fluxiondLoadsDetectorsAtStartAndTheCLIManagesThem() throws {
        let server = try ServerProcess([
            "--scenario", "water-main-leak", "--detector", "threshold", "--plugins", PluginFixtures.directory,
        ])
        defer { server.stop(signal: SIGKILL) }
        let address = ["--server", "127.0.0.1:\(server.port)"]

        let list = try runProduct("fluxion", ["detectors", "list", "--json"] + address)
        #expect(list.status == 0, "\(list.err)")
        let items = try #require(try JSONSerialization.jsonObject(with: Data(list.out.utf8)) as? [[String: Any]])
        let threshold = try #require(items.first { $0["name"] as? String == "threshold" })
        #expect(threshold["state"] as? String == "active")
        #expect(threshold["abi_version"] as? Int == 1)

        let load = try runProduct("fluxion", ["detectors", "load", "threshold", "--name", "spare"] + address)
        #expect(load.status == 0, "\(load.err)")
        #expect(load.out.contains("spare") && load.out.contains("loaded"))
        let swap = try runProduct("fluxion", ["detectors", "swap", "threshold", "spare"] + address)
        #expect(swap.status == 0, "\(swap.err)")
        #expect(swap.out.contains("active"))

        let missing = try runProduct("fluxion", ["detectors", "load", "NoSuchPlugin"] + address)
        #expect(missing.status != 0)
        #expect(missing.err.contains("NOT_FOUND"))
        let badABI = try runProduct("fluxion", ["detectors", "load", "FluxionTestBadABI"] + address)
        #expect(badABI.err.contains("FAILED_PRECONDITION") && badABI.err.contains("version 999"))
        let path = try runProduct("fluxion", ["detectors", "load", "../etc/evil"] + address)
        #expect(path.status != 0)
        #expect(server.stop(signal: SIGTERM) == 0)
    }
}

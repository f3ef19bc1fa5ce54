import FluxionDetectorKit
import FluxionWire
import Testing

@testable import FluxionDetectors

/// Every loader error, each with a real broken plugin build opened by dlopen.
@Suite struct PluginLoaderTests {
    @Test func missingFileIsNotFound() {
        let host = TestPlugins.host()
        #expect(throws: DetectorError.missingFile(plugin: "NoSuchPlugin", directory: TestPlugins.directory)) {
            try host.load(plugin: "NoSuchPlugin")
        }
        #expect(DetectorError.missingFile(plugin: "x", directory: "/d").status == .notFound)
    }

    @Test(arguments: ["../FluxionThreshold", "a/b", "", ".hidden", "/etc/passwd"])
    func pathsAreRefused(_ name: String) {
        let host = TestPlugins.host()
        #expect(throws: DetectorError.invalidPluginName(name)) { try host.load(plugin: name) }
        #expect(DetectorError.invalidPluginName(name).status == .invalidArgument)
    }

    @Test func libraryWithoutEntryPointIsNotAPlugin() throws {
        let host = TestPlugins.host()
        do {
            try host.load(plugin: "FluxionTestNoEntry")
            Issue.record("loaded a library without an entry point")
        } catch {
            guard case .notAPlugin(let plugin, let reason) = error else { throw error }
            #expect(plugin == "FluxionTestNoEntry")
            #expect(reason.contains("undefined symbol: fluxion_detector_entry"))
            #expect(error.status == .failedPrecondition)
        }
    }

    @Test func wrongABIVersionIsRefusedWithBothVersions() {
        let host = TestPlugins.host()
        #expect(throws: DetectorError.abiMismatch(plugin: "FluxionTestBadABI", found: 999, expected: 1)) {
            try host.load(plugin: "FluxionTestBadABI")
        }
        #expect(DetectorError.abiMismatch(plugin: "p", found: 2, expected: 1).rpcError.code == .failedPrecondition)
    }

    @Test func initFailureCarriesThePluginsText() throws {
        let host = TestPlugins.host()
        do {
            try host.load(plugin: "FluxionTestInitFails")
            Issue.record("create should have failed")
        } catch {
            guard case .initFailed(let plugin, let message) = error else { throw error }
            #expect(plugin == "FluxionTestInitFails")
            #expect(message == "init-fails refuses every configuration (network test-line)")
        }
        #expect(host.list().allSatisfy { $0.state == .available })
    }

    @Test func badConfigJSONIsInvalidArgument() throws {
        let host = TestPlugins.host()
        do {
            try host.load(plugin: "FluxionThreshold", configJSON: "{k: 3")
            Issue.record("accepted bad JSON")
        } catch {
            guard case .invalidConfig = error else { throw error }
            #expect(error.status == .invalidArgument)
        }
        // Valid JSON the detector rejects is an init failure with the detector's reason.
        #expect(throws: DetectorError.self) { try host.load(plugin: "FluxionThreshold", configJSON: #"{"k": -1}"#) }
    }

    @Test func thresholdLoadsByAliasAndReportsItsTable() throws {
        let host = TestPlugins.host()
        let status = try host.load(plugin: "threshold", name: "t1")
        #expect(status.state == .loaded)
        #expect(status.plugin == "threshold")
        #expect(status.version == "1.0.0")
        #expect(status.abiVersion == 1)
        #expect(throws: DetectorError.duplicateInstance("t1")) { try host.load(plugin: "threshold", name: "t1") }
        let listed = host.list()
        #expect(listed.first?.name == "t1")
        #expect(listed.contains { $0.name == "FluxionTestNaN" && $0.state == .available })
    }

    /// `list` opens each file like a load: real plugins show their table, broken builds why
    /// they cannot be loaded (the same text a load would give).
    @Test func listingTellsPluginsFromFilesThatAreNot() throws {
        let listed = Dictionary(TestPlugins.host().list().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        // One name per detector: listed by the name `load` takes, not the file's.
        #expect(listed["FluxionThreshold"] == nil && listed["FluxionLof"] == nil)
        #expect(listed["lof"]?.plugin == "lof")
        let threshold = try #require(listed["threshold"])
        #expect(threshold.version == "1.0.0" && threshold.abiVersion == 1 && threshold.lastError.isEmpty)
        #expect(!threshold.summary.isEmpty)
        let badABI = try #require(listed["FluxionTestBadABI"])
        #expect(badABI.lastError.contains("built for detector ABI version"), "\(badABI.lastError)")
        let noEntry = try #require(listed["FluxionTestNoEntry"])
        #expect(noEntry.lastError.contains("fluxion_detector_entry"), "\(noEntry.lastError)")
        #expect(listed.values.allSatisfy { $0.state == .available })
    }
}

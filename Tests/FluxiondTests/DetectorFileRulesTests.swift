import FluxionClient
import FluxionWire
import Foundation
import Testing

/// Files a client names are opened only from the directories the operator configured: models
/// by plain name from `--models`, plugins from `--plugins`, never through a symbolic link that
/// leaves them (unless `--allow-links-outside`), never larger than `--max-model-bytes`.
///
/// Before: `{"model": "/etc/shadow"}` opened that file (and reported "bad magic"), a 1 GiB file
/// was read whole, and links were followed anywhere.
@Suite struct DetectorFileRulesTests {
    private func temporaryDirectory(_ label: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    private func load(_ conn: FluxionConnection, plugin: String, config: String = "") -> RPCError? {
        do {
            let _: Wire.DetectorResponse = try conn.unary(
                Wire.Fluxion.loadDetector,
                Wire.LoadDetectorRequest(plugin: plugin, name: UUID().uuidString, configJSON: config))
            return nil
        } catch {
            return error
        }
    }

    @Test func modelsAreOpenedByPlainNameFromTheModelsDirectoryOnly() throws {
        let models = try temporaryDirectory("models")
        defer { try? FileManager.default.removeItem(at: models) }
        try Data(repeating: 7, count: 2000).write(to: models.appendingPathComponent("big.model"))
        try FileManager.default.createSymbolicLink(
            atPath: models.appendingPathComponent("passwd.model").path, withDestinationPath: "/etc/passwd")
        let server = try ServerProcess(["--models", models.path, "--max-model-bytes", "1000"])
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 30)
        defer { conn.close() }

        let path = load(conn, plugin: "lof", config: #"{"model": "/etc/shadow"}"#)
        #expect(path?.code == .invalidArgument)
        #expect(
            path?.message == #"model "/etc/shadow": not a plain file name (no '/', not empty, not starting with '.')"#)
        let up = load(conn, plugin: "lof", config: #"{"model": "../x"}"#)
        #expect(up?.code == .invalidArgument)
        let missing = load(conn, plugin: "lof", config: #"{"model": "nope.model"}"#)
        #expect(missing?.code == .notFound)
        #expect(missing?.message.contains("no such file in the model directory \(models.path)") == true)
        let link = load(conn, plugin: "lof", config: #"{"model": "passwd.model"}"#)
        #expect(link?.code == .permissionDenied)
        #expect(link?.message.contains("a symbolic link that leaves the model directory") == true)
        let big = load(conn, plugin: "lof", config: #"{"model": "big.model"}"#)
        #expect(big?.code == .failedPrecondition)
        #expect(big?.message.contains("2000 bytes, more than the 1000-byte limit") == true)
        let notString = load(conn, plugin: "lof", config: #"{"model": 5}"#)
        #expect(notString?.code == .invalidArgument)
        let list: Wire.ListDetectorsResponse = try conn.unary(Wire.Fluxion.listDetectors, Wire.ListDetectorsRequest())
        #expect(!list.detectors.contains { $0.state == .active || $0.state == .loaded })
    }

    /// A detector loaded without a `model` key gets `<plugin>-<scenario>.model`: the operator's
    /// from `--models` first, else the one shipped with fluxiond (Plugins/PINN/models of a
    /// build tree, PREFIX/share/fluxion/models installed).
    @Test func aDetectorWithoutAModelGetsTheOperatorsOrTheShippedDefault() throws {
        let models = try temporaryDirectory("models")
        defer { try? FileManager.default.removeItem(at: models) }
        let server = try ServerProcess(["--models", models.path])
        defer { server.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 60)
        defer { conn.close() }

        #expect(load(conn, plugin: "pinn") == nil, "the shipped pinn-absheron.model")
        let list: Wire.ListDetectorsResponse = try conn.unary(Wire.Fluxion.listDetectors, Wire.ListDetectorsRequest())
        #expect(list.detectors.contains { $0.plugin == "pinn" && $0.state == .loaded })
        // The operator's file of that name comes first: a broken one is refused, naming it.
        try Data("{}".utf8).write(to: models.appendingPathComponent("pinn-absheron.model"))
        let broken = load(conn, plugin: "pinn")
        #expect(broken != nil)
        #expect(
            broken?.message.contains(models.appendingPathComponent("pinn-absheron.model").path) == true,
            "\(String(describing: broken))")
        // A plugin nothing is shipped for loads as before (LOF learns online).
        #expect(load(conn, plugin: "lof") == nil)
    }

    @Test func linksLeavingTheDirectoriesAreFollowedOnlyWhenAllowed() throws {
        let plugins = try temporaryDirectory("plugins")
        defer { try? FileManager.default.removeItem(at: plugins) }
        try FileManager.default.createSymbolicLink(
            atPath: plugins.appendingPathComponent("libthreshold.so").path,
            withDestinationPath: Products.path("libFluxionThreshold.so"))
        let strict = try ServerProcess(["--plugins", plugins.path])
        defer { strict.stop() }
        let conn = try FluxionConnection(host: "127.0.0.1", port: strict.port, callTimeout: 30)
        defer { conn.close() }
        let refused = load(conn, plugin: "threshold")
        #expect(refused?.code == .permissionDenied)
        #expect(refused?.message.contains("a symbolic link that leaves the plugin directory") == true)

        let allowed = try ServerProcess(["--plugins", plugins.path, "--allow-links-outside"])
        defer { allowed.stop() }
        let conn2 = try FluxionConnection(host: "127.0.0.1", port: allowed.port, callTimeout: 30)
        defer { conn2.close() }
        #expect(load(conn2, plugin: "threshold") == nil)
    }
}

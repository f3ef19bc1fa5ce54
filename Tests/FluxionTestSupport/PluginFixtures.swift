import Foundation

/// A plugin directory for the loader tests: copies of the product's plugins (from the build
/// beside the test runner) and of the deliberately broken ones (Tests/PluginFixtures, a package of
/// its own, built here when missing), in a temporary directory made once per test process. The
/// product's plugin directories never hold the broken ones.
public enum PluginFixtures {
    public static let productPlugins = ["libFluxionThreshold.so", "libFluxionLof.so", "libFluxionPressureDrop.so"]
    public static let brokenPlugins = [
        "libFluxionTestBadABI.so", "libFluxionTestNoEntry.so", "libFluxionTestInitFails.so", "libFluxionTestNaN.so",
    ]

    /// The build directory of the test runner (where `swift build` put the product's plugins).
    public static let buildDirectory: String = {
        let exe =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // On Linux the test runner is .build/<config>/<Package>PackageTests.xctest.
        if dir.lastPathComponent.hasSuffix(".xctest") { dir = dir.deletingLastPathComponent() }
        return dir.path
    }()

    static let packageDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("PluginFixtures")

    /// The directory; fails the process with a clear message if the fixtures cannot be built.
    public static let directory: String = {
        let fixtures = packageDirectory.appendingPathComponent(".build/debug")
        if !brokenPlugins.allSatisfy({
            FileManager.default.fileExists(atPath: fixtures.appendingPathComponent($0).path)
        }) {
            let build = Process()
            build.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            build.arguments = ["swift", "build", "--package-path", packageDirectory.path]
            try? build.run()
            build.waitUntilExit()
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fluxion-test-plugins-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, from) in productPlugins.map({ ($0, URL(fileURLWithPath: buildDirectory)) })
            + brokenPlugins.map({ ($0, fixtures) })
        {
            let target = dir.appendingPathComponent(name)
            try? FileManager.default.removeItem(at: target)
            do {
                try FileManager.default.copyItem(at: from.appendingPathComponent(name), to: target)
            } catch {
                fatalError(
                    "test plugin \(name) missing in \(from.path): build the package and Tests/PluginFixtures first")
            }
        }
        return dir.path
    }()
}

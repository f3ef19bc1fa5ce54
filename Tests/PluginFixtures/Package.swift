// swift-tools-version:6.0
// Deliberately broken detector plugins for the loader tests, built apart from the product so that
// fluxiond's plugin directory never holds them: `swift build --package-path Tests/PluginFixtures`
// (make test does it) puts lib<Name>.so in Tests/PluginFixtures/.build/debug, and the tests copy
// them, with the product's plugins, into a directory of their own.
import PackageDescription

let package = Package(
    name: "FluxionPluginFixtures",
    products: [
        .library(name: "FluxionTestBadABI", type: .dynamic, targets: ["FluxionTestBadABI"]),
        .library(name: "FluxionTestNoEntry", type: .dynamic, targets: ["FluxionTestNoEntry"]),
        .library(name: "FluxionTestInitFails", type: .dynamic, targets: ["FluxionTestInitFails"]),
        .library(name: "FluxionTestNaN", type: .dynamic, targets: ["FluxionTestNaN"]),
    ],
    dependencies: [.package(name: "Fluxion", path: "../..")],
    targets: [
        // Each breaks one rule of the plugin boundary.
        .target(
            name: "FluxionTestBadABI", dependencies: [.product(name: "FluxionDetectorKit", package: "Fluxion")],
            path: "Sources/BadABI"),
        .target(name: "FluxionTestNoEntry", path: "Sources/NoEntry"),
        .target(
            name: "FluxionTestInitFails", dependencies: [.product(name: "FluxionDetectorKit", package: "Fluxion")],
            path: "Sources/InitFails"),
        .target(
            name: "FluxionTestNaN", dependencies: [.product(name: "FluxionDetectorKit", package: "Fluxion")],
            path: "Sources/NaN"),
    ]
)

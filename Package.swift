// swift-tools-version:6.0
import PackageDescription

/// Settings every Swift target shares.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "Fluxion",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "fluxiond", targets: ["fluxiond"]),
        .executable(name: "fluxion", targets: ["fluxion"]),
        .library(name: "FluxionClient", targets: ["FluxionClient"]),
        .library(name: "FluxionTwin", targets: ["FluxionTwin"]),
        .library(name: "FluxionDetectorKit", targets: ["FluxionDetectorKit"]),
        // Detector plugins: dynamic libraries loaded by fluxiond at run time (--plugins DIR).
        .library(name: "FluxionThreshold", type: .dynamic, targets: ["FluxionThreshold"]),
        .library(name: "FluxionLof", type: .dynamic, targets: ["FluxionLOFPlugin"]),
        .library(name: "FluxionPinn", type: .dynamic, targets: ["FluxionPINNPlugin"]),
        // The deliberately broken plugins of the loader tests are a package of their own
        // (Tests/PluginFixtures), so that no plugin directory of the product holds them.
        // The minimal plugin of docs/PLUGINS.md.
        .library(name: "FluxionPressureDrop", type: .dynamic, targets: ["FluxionPressureDrop"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // C behind Swift: libuv and the generated protobuf-c code.
        .systemLibrary(
            name: "CLibUV", path: "Sources/CLibUV", pkgConfig: "libuv",
            providers: [.apt(["libuv1-dev"])]),
        .systemLibrary(name: "CEpoll", path: "Sources/CEpoll"),
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        .systemLibrary(
            name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .target(
            name: "CFluxionProto", path: "Sources/CFluxionProto",
            linkerSettings: [.linkedLibrary("protobuf-c")]),
        // Field data: libmosquitto (the MQTT client) and the protobuf-c code of the Sparkplug B payload.
        .systemLibrary(
            name: "CMosquitto", path: "Sources/CMosquitto", pkgConfig: "libmosquitto",
            providers: [.apt(["libmosquitto-dev"])]),
        .target(
            name: "CSparkplug", path: "Sources/CSparkplug",
            linkerSettings: [.linkedLibrary("protobuf-c")]),
        // Sparkplug B topics and payloads, and an MQTT client on its own thread (no Fluxion types).
        .target(
            name: "FluxionSparkplug", dependencies: ["CMosquitto", "CSparkplug"], swiftSettings: swiftSettings),

        // Wire layer: framing, envelope, status, message codecs.
        .target(
            name: "FluxionWire", dependencies: ["CFluxionProto"],
            swiftSettings: swiftSettings),

        // Access tokens: the tokens file, roles, which method needs which (SHA-256 via libcrypto).
        .target(name: "FluxionAccess", dependencies: ["COpenSSL"], swiftSettings: swiftSettings),

        // TLS over memory BIOs (OpenSSL), for fluxiond's loop and the Swift client alike.
        .target(name: "FluxionTLS", dependencies: ["COpenSSL"], swiftSettings: swiftSettings),

        // Physics: no I/O.
        .target(name: "FluxionTwin", swiftSettings: swiftSettings),
        // Scenario files (YAML) -> twin networks.
        .target(
            name: "FluxionScenario",
            dependencies: ["FluxionTwin", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings),

        // The plugin boundary: one versioned C header (see docs/PLUGINS.md).
        .target(name: "CFluxionDetectorABI", path: "Sources/CFluxionDetectorABI"),
        // What plugin authors write against: the Detector protocol and its value types.
        .target(name: "FluxionDetectorKit", dependencies: ["CFluxionDetectorABI"], swiftSettings: swiftSettings),
        // The plugin host: dlopen, ABI check, run, swap.
        .target(
            name: "FluxionDetectors",
            dependencies: ["CFluxionDetectorABI", "FluxionDetectorKit", "FluxionWire", "FluxionTwin"],
            swiftSettings: swiftSettings),
        // Alerts: hysteresis, the SQLite and PostgreSQL stores, queries.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        // libpq, the PostgreSQL client library, for the shared alert store (fluxiond --alerts postgres://…).
        .systemLibrary(
            name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .target(
            name: "FluxionAlerts", dependencies: ["CSQLite", "CLibPQ", "FluxionDetectorKit"],
            swiftSettings: swiftSettings),
        // A transient model of one gas line and the leak fit (pure physics, no I/O).
        .target(name: "FluxionLineModel", dependencies: ["FluxionDetectorKit"], swiftSettings: swiftSettings),
        // Detector plugins.
        .target(
            name: "FluxionThreshold", dependencies: ["FluxionDetectorKit", "FluxionLineModel"],
            path: "Plugins/Threshold",
            swiftSettings: swiftSettings),
        .target(
            name: "FluxionPressureDrop", dependencies: ["FluxionDetectorKit"], path: "Plugins/Examples/PressureDrop",
            swiftSettings: swiftSettings),
        // Local Outlier Factor, scikit-learn compatible.
        .target(name: "FluxionLOF", swiftSettings: swiftSettings),
        // The LOF leak detector (features, model file, calibration) and its plugin.
        .target(
            name: "FluxionLOFDetector", dependencies: ["FluxionLOF", "FluxionDetectorKit"], swiftSettings: swiftSettings
        ),
        .target(
            name: "FluxionLOFPlugin", dependencies: ["FluxionLOFDetector", "FluxionDetectorKit"], path: "Plugins/LOF",
            swiftSettings: swiftSettings),

        // The physics-informed network detector (inputs, model file, inference) and its plugin.
        .target(name: "FluxionPINN", dependencies: ["FluxionDetectorKit"], swiftSettings: swiftSettings),
        .target(
            name: "FluxionPINNPlugin", dependencies: ["FluxionPINN", "FluxionDetectorKit"], path: "Plugins/PINN",
            // The trainer (Python) and the shipped models (fluxiond finds them; docs/PINN.md).
            exclude: ["trainer", "models"], swiftSettings: swiftSettings),

        // Server library on libuv.
        .target(
            name: "FluxionServer",
            dependencies: [
                "CLibUV", "CMalloc", "FluxionAccess", "FluxionTLS", "FluxionWire", "FluxionTwin", "FluxionScenario",
                "FluxionDetectorKit",
                "FluxionDetectors", "FluxionAlerts", "FluxionSparkplug",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        // Client library (blocking sockets, one reader thread, multiplexed calls).
        .target(name: "FluxionClient", dependencies: ["FluxionWire", "FluxionTLS"], swiftSettings: swiftSettings),

        .executableTarget(
            name: "fluxiond",
            dependencies: [
                "FluxionServer", "FluxionDetectors", "FluxionAccess", "FluxionTLS", "FluxionSparkplug",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "fluxion",
            dependencies: [
                "FluxionClient", "FluxionAccess", "FluxionTLS", "FluxionTwin", "FluxionScenario", "FluxionLOF",
                "FluxionLOFDetector", "FluxionPINN",
                "FluxionDetectors",
                "FluxionDetectorKit", "FluxionAlerts", "FluxionSparkplug",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings),

        // Benchmarks: executables that print figures and still check their results.
        .executableTarget(
            name: "bench-rpc-unary", dependencies: ["FluxionClient"],
            path: "Sources/Benchmarks/bench-rpc-unary", swiftSettings: swiftSettings),
        .executableTarget(
            name: "bench-stream", dependencies: ["FluxionWire", "CEpoll"],
            path: "Sources/Benchmarks/bench-stream", swiftSettings: swiftSettings),
        .executableTarget(
            name: "bench-moc", dependencies: ["FluxionTwin", "FluxionScenario"],
            path: "Sources/Benchmarks/bench-moc", swiftSettings: swiftSettings),
        .executableTarget(
            name: "bench-detectors",
            dependencies: ["FluxionDetectors", "FluxionDetectorKit", "FluxionTwin", "FluxionScenario"],
            path: "Sources/Benchmarks/bench-detectors", swiftSettings: swiftSettings),
        .executableTarget(
            name: "bench-mqtt", dependencies: ["FluxionSparkplug", "FluxionServer", "FluxionScenario", "FluxionTwin"],
            path: "Sources/Benchmarks/bench-mqtt", swiftSettings: swiftSettings),
        .executableTarget(
            name: "bench-lof", dependencies: ["FluxionLOF"],
            path: "Sources/Benchmarks/bench-lof", swiftSettings: swiftSettings),

        // Test tool: writes alerts durably and reports each on stdout, for the kill -9 test.
        .executableTarget(
            name: "alerts-crash-writer", dependencies: ["FluxionAlerts", "FluxionDetectorKit"],
            path: "Sources/Tools/alerts-crash-writer", swiftSettings: swiftSettings),
        .executableTarget(
            name: "bench-alerts", dependencies: ["FluxionAlerts", "FluxionDetectorKit"],
            path: "Sources/Benchmarks/bench-alerts", swiftSettings: swiftSettings),

        // A plugin directory for the loader tests (the product's plugins and Tests/PluginFixtures').
        .target(name: "FluxionTestSupport", dependencies: ["FluxionWire"], path: "Tests/FluxionTestSupport"),
        .testTarget(name: "FluxionWireTests", dependencies: ["FluxionWire"]),
        .testTarget(name: "FluxionAccessTests", dependencies: ["FluxionAccess"]),
        .testTarget(name: "FluxionSparkplugTests", dependencies: ["FluxionSparkplug"]),
        .testTarget(
            name: "FluxionServerTests",
            dependencies: [
                "FluxionClient", "FluxionWire", "FluxionServer", "FluxionTwin", "FluxionScenario", "FluxionAlerts",
                "FluxionDetectorKit", "FluxionTestSupport", "FluxionSparkplug",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "FluxiondTests",
            dependencies: [
                "FluxionClient", "FluxionWire", "FluxionAlerts", "FluxionTLS", "FluxionTestSupport", "FluxionSparkplug",
            ]),
        .testTarget(
            name: "FluxionTwinTests", dependencies: ["FluxionTwin", "FluxionScenario"]),
        .testTarget(name: "FluxionLOFTests", dependencies: ["FluxionLOF"]),
        .testTarget(name: "FluxionLineModelTests", dependencies: ["FluxionLineModel", "FluxionDetectorKit"]),
        .testTarget(
            name: "FluxionLOFDetectorTests",
            dependencies: [
                "FluxionLOFDetector", "FluxionDetectorKit", "FluxionDetectors", "FluxionTwin", "FluxionScenario",
            ]),
        .testTarget(
            name: "FluxionDetectorsTests",
            dependencies: [
                "FluxionDetectors", "FluxionDetectorKit", "FluxionTwin", "FluxionScenario", "FluxionWire",
                "CFluxionDetectorABI", "FluxionTestSupport",
            ]),
        .testTarget(
            name: "FluxionAlertsTests",
            dependencies: ["FluxionAlerts", "FluxionDetectorKit", "CSQLite", "FluxionTestSupport"]
        ),
        .testTarget(name: "FluxionPINNTests", dependencies: ["FluxionPINN", "FluxionDetectorKit"]),
    ]
)

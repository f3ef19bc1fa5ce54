import FluxionDetectorKit
import Testing

@testable import FluxionDetectors

/// The minimal plugin of docs/PLUGINS.md, as built from Plugins/Examples/PressureDrop.
@Suite struct ExamplePluginTests {
    @Test func pressureDropAlarmsBelowNinetyPercentOfTheFirstReading() throws {
        let host = TestPlugins.host()
        let status = try host.load(plugin: "FluxionPressureDrop", name: "pd")
        #expect(status.version == "1.0.0")
        #expect(status.summary.contains("10 % pressure drop"))
        try host.activate("pd")
        // smallNetwork's first pressure sensor is index 2 (PT-1).
        func tick(_ t: Double, _ p: Double) -> DetectorTick {
            DetectorTick(simTimeS: t, samples: [SensorSample(sensorIndex: 2, value: p)])
        }
        #expect(host.process(tick(0, 5e5)).map(\.estimate.probability) == [0])
        #expect(host.process(tick(1, 4.6e5)).map(\.estimate.probability) == [0])
        #expect(host.process(tick(2, 4.4e5)).map(\.estimate.probability) == [1])
    }
}

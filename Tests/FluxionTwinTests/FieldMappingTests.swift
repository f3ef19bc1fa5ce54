import FluxionScenario
import FluxionTwin
import Testing

/// The scenario's `field:` section: mapping, unit conversion, and errors naming file, line and field.
@Suite struct FieldMappingTests {
    static let base =
        ScenarioTests.base + """

            field:
              group: plant
              metrics:
                - {sensor: S1, metric: "Line/PT-1", edge: rtu-1, unit: kPa}
            """

    @Test func mapsMetricsWithTheirUnitConversion() throws {
        let s = try ScenarioLoader.load(yaml: Self.base, file: "ok.yaml")
        let field = try #require(s.field)
        #expect(field.group == "plant")
        #expect(field.latenessS == 0.2 && field.staleAfterS == 5)
        let m = try #require(field.metrics.first)
        #expect(m.sensorId == "S1" && m.sensorIndex == 0 && m.metric == "Line/PT-1" && m.edgeNode == "rtu-1")
        #expect(m.scale == 1000 && m.offset == 0)
        // Named units against their definitions: 1 psi = 6894.757… Pa, 0 degF = −17.78 degC.
        let psi = try #require(FieldMapping.conversion(from: "psi", to: "Pa"))
        #expect(abs(psi.scale - 6894.757293168361) < 1e-9)
        let f = try #require(FieldMapping.conversion(from: "degF", to: "degC"))
        #expect(abs((32 * f.scale + f.offset) - 0) < 1e-12 && abs((212 * f.scale + f.offset) - 100) < 1e-12)
        #expect(FieldMapping.conversion(from: "bar", to: "m3/s") == nil)
    }

    @Test(
        arguments: [
            // (replace, with, line, element, field, message fragment)
            ("{sensor: S1, metric:", "{sensor: S9, metric:", 22, "field.metrics[0]", "sensor", "unknown sensor 'S9'"),
            ("unit: kPa}", "unit: bar, scale: 2}", 22, "field.metrics[0]", "scale", "either unit or scale"),
            (
                "unit: kPa}", "unit: degC}", 22, "field.metrics[0]", "unit",
                "cannot convert 'degC' to the sensor's unit Pa"
            ),
            ("edge: rtu-1,", "device: d1,", 22, "field.metrics[0]", "device", "needs edge"),
            ("group: plant", "group: a/b", 20, "field", "group", "Sparkplug group id"),
            (
                "unit: kPa}", "unit: kPa}\n    - {sensor: S1, metric: other}", 23, "field.metrics[1]", "sensor",
                "already mapped by field.metrics[0]"
            ),
        ] as [(String, String, Int, String, String, String)])
    func badMappingsNameFileLineAndField(
        replace: String, with: String, line: Int, element: String, field: String, fragment: String
    ) throws {
        let yaml = Self.base.replacingOccurrences(of: replace, with: with)
        #expect(yaml != Self.base)
        let e = try #require(ScenarioTests.error(yaml))
        #expect(e.file == "bad.yaml")
        #expect(e.line == line, "\(e)")
        #expect(e.element == element, "\(e)")
        #expect(e.field == field, "\(e)")
        #expect(e.message.contains(fragment), "\(e)")
    }

    @Test func theSameMetricOfTheSameSourceMappedTwiceIsRefused() throws {
        let yaml = Self.base.replacingOccurrences(
            of: "sensors:\n  - {id: S1, quantity: pressure, pipe: P1, position_m: 400}",
            with:
                "sensors:\n  - {id: S1, quantity: pressure, pipe: P1, position_m: 400}\n  - {id: S2, quantity: flow, pipe: P1, position_m: 10}"
        ).replacingOccurrences(
            of: "unit: kPa}", with: "unit: kPa}\n    - {sensor: S2, metric: \"Line/PT-1\", edge: rtu-1}")
        let e = try #require(ScenarioTests.error(yaml))
        #expect(e.field == "metric" && e.message.contains("already mapped by field.metrics[0]"), "\(e)")
    }
}

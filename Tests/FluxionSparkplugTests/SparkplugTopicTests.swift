import FluxionSparkplug
import Testing

@Suite struct SparkplugTopicTests {
    @Test func parsesNodeAndDeviceTopics() {
        let node = SparkplugTopic(parsing: "spBv1.0/plant/NDATA/edge1")
        #expect(node == SparkplugTopic(group: "plant", type: .ndata, edgeNode: "edge1"))
        let device = SparkplugTopic(parsing: "spBv1.0/plant/DDATA/edge1/rtu7")
        #expect(device?.source == "edge1/rtu7")
        #expect(device?.string == "spBv1.0/plant/DDATA/edge1/rtu7")
        // A device type on a node topic, a node type on a device topic, other namespaces: refused.
        #expect(SparkplugTopic(parsing: "spBv1.0/plant/DDATA/edge1") == nil)
        #expect(SparkplugTopic(parsing: "spBv1.0/plant/NDATA/edge1/rtu7") == nil)
        #expect(SparkplugTopic(parsing: "spAv1.0/plant/NDATA/edge1") == nil)
        #expect(SparkplugTopic(parsing: "spBv1.0/plant/NDATA//") == nil)
    }
}

import FluxionSparkplug
import FluxionTwin
import Testing

@testable import FluxionServer

/// The field ingest's rules without a broker: mapping by name and alias, unit conversion, the
/// time rule (blocks, late, duplicate, stale, gap), and every refusal cause counted, logged
/// once, and never turned into a reading on another sensor.
@Suite struct FieldAssemblerTests {
    /// Sensors 0 (PT-A, metric "pa", edge e1, given in kPa) and 1 (PT-B, metric "pb", any edge),
    /// and sensor 2 (PT-C: metric "pa" of edge e2).
    static let mapping = FieldMapping(
        group: "g", latenessS: 0, staleAfterS: 1,
        metrics: [
            .init(sensorIndex: 0, sensorId: "PT-A", metric: "pa", edgeNode: "e1", scale: 1000),
            .init(sensorIndex: 1, sensorId: "PT-B", metric: "pb"),
            .init(sensorIndex: 2, sensorId: "PT-C", metric: "pa", edgeNode: "e2"),
        ])

    final class Harness {
        let assembler: FieldAssembler
        var blocks: [FieldAssembler.Block] = []
        var logged: [FieldCounters.Cause] = []

        init(_ mapping: FieldMapping = FieldAssemblerTests.mapping) {
            assembler = FieldAssembler(mapping: mapping)
            assembler.onFirstRefusal = { [unowned self] cause, _ in logged.append(cause) }
        }

        func send(_ topic: String, _ payload: SparkplugPayload, wallMs: UInt64 = 1_000) {
            send(topic, SparkplugEncoder.encode(payload), wallMs: wallMs)
        }

        func send(_ topic: String, _ bytes: [UInt8], wallMs: UInt64 = 1_000) {
            bytes.withUnsafeBytes { raw in
                assembler.ingest(topic: topic, payload: raw, wallMs: wallMs) { blocks.append($0) }
            }
        }

        /// sensor index → value of every valid reading handed on.
        var values: [Int: [Double]] {
            var out: [Int: [Double]] = [:]
            for b in blocks { for r in b.readings where r.valid { out[r.sensorIndex, default: []].append(r.value) } }
            return out
        }
    }

    static func birth(seq: UInt64 = 0, _ names: [(String, UInt64, SparkplugDataType)]) -> SparkplugPayload {
        SparkplugPayload(
            timestampMs: 1, seq: seq,
            metrics: names.map { SparkplugMetric(name: $0.0, alias: $0.1, dataType: $0.2.rawValue, value: .null) })
    }

    static func data(seq: UInt64, at ms: UInt64, _ metrics: [(UInt64, SparkplugValue)]) -> SparkplugPayload {
        SparkplugPayload(
            timestampMs: ms, seq: seq,
            metrics: metrics.map { SparkplugMetric(alias: $0.0, timestampMs: ms, value: $0.1) })
    }

    /// A publisher that invents edge nodes or metric names cannot grow the server's memory:
    /// beyond `maxSources` sources, and `maxNamesPerSource` names each, nothing more is
    /// remembered (counted under `limit`), and the sources already known go on mapping.
    @Test func inventedEdgeNodesAndNamesAreBounded() {
        let h = Harness()
        h.send("spBv1.0/g/NBIRTH/e1", Self.birth([("pa", 1, .double)]))
        for i in 0..<(FieldAssembler.maxSources + 10) {
            h.send("spBv1.0/g/NBIRTH/x\(i)", Self.birth([("m", 1, .double)]))
        }
        #expect(h.assembler.trackedSources == FieldAssembler.maxSources)
        #expect(h.assembler.counters[.limit] == 11)
        #expect(h.logged == [.limit])  // logged once
        // A BIRTH of too many metrics keeps the first maxNamesPerSource of them.
        let many = (0..<(FieldAssembler.maxNamesPerSource + 5)).map {
            ("n\($0)", UInt64($0 + 10), SparkplugDataType.double)
        }
        h.send("spBv1.0/g/NBIRTH/x0", Self.birth(many))
        #expect(h.assembler.trackedNames("g/x0") == FieldAssembler.maxNamesPerSource)
        #expect(h.assembler.counters[.limit] == 12)
        // Invented names in DATA: refused as unmapped, not remembered past the bound.
        let names = (0..<(FieldAssembler.maxNamesPerSource + 5)).map {
            SparkplugMetric(name: "junk\($0)", timestampMs: 10_000, value: .double(1))
        }
        h.send("spBv1.0/g/NDATA/e1", SparkplugPayload(timestampMs: 10_000, seq: 1, metrics: names))
        #expect(h.assembler.trackedNames("g/e1") == FieldAssembler.maxNamesPerSource)
        // The known edge node still maps its metric to its sensor.
        h.send("spBv1.0/g/NDATA/e1", Self.data(seq: 2, at: 10_000, [(1, .double(2.5))]))
        h.assembler.tick(wallMs: 100_000) { h.blocks.append($0) }
        #expect(h.values[0] == [2500])
    }

    @Test func aliasesFromBirthsMapEachEdgeNodesMetricsToTheirOwnSensors() {
        // Two edge nodes publish the same timestamp in two messages: a lateness window joins them.
        var mapping = Self.mapping
        mapping.latenessS = 0.1
        let h = Harness(mapping)
        // Both edge nodes use alias 1 for "pa": each must land on its own sensor.
        h.send("spBv1.0/g/NBIRTH/e1", Self.birth([("pa", 1, .double), ("pb", 2, .float)]))
        h.send("spBv1.0/g/NBIRTH/e2", Self.birth([("pa", 1, .double)]))
        h.send("spBv1.0/g/NDATA/e1", Self.data(seq: 1, at: 10_000, [(1, .double(2.5)), (2, .float(7))]))
        h.send("spBv1.0/g/NDATA/e2", Self.data(seq: 1, at: 10_000, [(1, .double(99))]))
        h.send("spBv1.0/g/NDATA/e1", Self.data(seq: 2, at: 10_020, [(1, .double(2.6))]))
        h.assembler.tick(wallMs: 1_100) { h.blocks.append($0) }
        #expect(h.values[0] == [2500, 2600])  // kPa → Pa by the scale
        #expect(h.values[1] == [7])
        #expect(h.values[2] == [99])
        #expect(h.blocks.map(\.timeMs) == [10_000, 10_020])
        #expect(h.assembler.counters.refused.allSatisfy { $0 == 0 }, "\(h.assembler.counters)")
        #expect(h.assembler.counters.metricsMapped == 4)
    }

    @Test func everyBadInputIsCountedLoggedOnceAndNeverBecomesAReading() {
        let h = Harness()
        // DATA before any BIRTH: the alias means nothing yet.
        h.send("spBv1.0/g/NDATA/e1", Self.data(seq: 5, at: 9_000, [(1, .double(1))]))
        // Not protobuf; twice (logged once).
        h.send("spBv1.0/g/NDATA/e1", [0xff, 0xff, 0xff, 0x01])
        h.send("spBv1.0/g/NDATA/e1", [0x0a, 0x05])
        // Not a Sparkplug topic.
        h.send("spBv1.0/g/WHATEVER/e1", [])
        // A BIRTH that declares the mapped "pb" a Boolean, and gives alias 7 to two metrics.
        h.send(
            "spBv1.0/g/NBIRTH/e1",
            Self.birth([("pa", 1, .double), ("pb", 2, .boolean), ("x", 7, .double), ("y", 7, .double)]))
        h.send("spBv1.0/g/NDATA/e1", Self.data(seq: 1, at: 10_000, [(2, .boolean(true)), (7, .double(3))]))
        // A metric in no mapping entry, by name.
        h.send(
            "spBv1.0/g/NDATA/e1",
            SparkplugPayload(
                timestampMs: 10_020, seq: 2, metrics: [SparkplugMetric(name: "valve-7", value: .double(1))]))
        // Wrong type: a string for a Double metric; a float carried in a metric declared Double.
        h.send("spBv1.0/g/NDATA/e1", Self.data(seq: 3, at: 10_040, [(1, .string("12.5"))]))
        h.send(
            "spBv1.0/g/NDATA/e1",
            SparkplugPayload(
                timestampMs: 10_060, seq: 4,
                metrics: [SparkplugMetric(alias: 1, timestampMs: 10_060, dataType: 10, value: .float(1))]))
        // A seq gap (5 expected), with a good value: counted, the value is still taken.
        h.send("spBv1.0/g/NDATA/e1", Self.data(seq: 9, at: 10_080, [(1, .double(4))]))
        // Late: 10_000 was handed on already. Then a duplicate within one message.
        h.send("spBv1.0/g/NDATA/e1", Self.data(seq: 10, at: 10_000, [(1, .double(5))]))
        h.send("spBv1.0/g/NDATA/e1", Self.data(seq: 11, at: 10_100, [(1, .double(6)), (1, .double(7))]))
        // A device clock far in the future (or garbage): refused, or it would make all else late.
        h.send("spBv1.0/g/NDATA/e1", Self.data(seq: 12, at: UInt64.max - 5, [(1, .double(8))]))

        let c = h.assembler.counters
        #expect(c[.unknownAlias] == 1)
        #expect(c[.malformed] == 2)
        #expect(c[.notSparkplug] == 1)
        #expect(c[.birthConflict] == 2)
        #expect(c[.unmappedMetric] == 1)
        #expect(c[.wrongType] == 2)
        #expect(c[.seqGap] == 1)  // seq 5 before any BIRTH is no gap; 9 where 5 was due is, then on from 9
        #expect(c[.late] == 1)
        #expect(c[.duplicate] == 1)
        #expect(c[.futureTimestamp] == 1)
        #expect(h.logged.count == Set(h.logged).count, "a cause was logged twice: \(h.logged)")
        // Every cause but `limit` (its own test: inventedEdgeNodesAndNamesAreBounded).
        #expect(Set(h.logged) == Set(FieldCounters.Cause.allCases).subtracting([.limit]))
        // Only the good values arrived, each on its own sensor; nothing on PT-B or PT-C.
        #expect(h.values[0] == [4000, 6000])
        #expect(h.values[1] == nil)
        #expect(h.values[2] == nil)
    }

    @Test func quietSensorsAndASilentFeedReadInvalid() {
        let h = Harness()
        h.send("spBv1.0/g/NBIRTH/e1", Self.birth([("pa", 1, .double), ("pb", 2, .double)]))
        h.send("spBv1.0/g/NDATA/e1", Self.data(seq: 1, at: 10_000, [(1, .double(1)), (2, .double(1))]), wallMs: 1_000)
        // PT-B goes quiet: valid until 1 s (stale_after_s) has passed, invalid after.
        h.send("spBv1.0/g/NDATA/e1", Self.data(seq: 2, at: 10_900, [(1, .double(1))]), wallMs: 1_900)
        h.send("spBv1.0/g/NDATA/e1", Self.data(seq: 3, at: 11_100, [(1, .double(1))]), wallMs: 2_100)
        let pb = h.blocks.map { b in b.readings.first { $0.sensorIndex == 1 } }
        #expect(pb[0]?.valid == true)
        #expect(pb[1] == nil)  // not due yet: simply absent
        #expect(pb[2]?.valid == false)
        #expect(pb[2]?.value.isNaN == true)
        // The whole feed silent for 1 s of wall time: a block of invalid readings, 1 s on.
        h.assembler.tick(wallMs: 2_500) { h.blocks.append($0) }
        #expect(h.blocks.count == 3)
        h.assembler.tick(wallMs: 3_200) { h.blocks.append($0) }
        let gap = h.blocks.last!
        #expect(h.blocks.count == 4)
        #expect(gap.timeMs == 12_100)
        #expect(gap.readings.count == 3 && gap.readings.allSatisfy { !$0.valid })
        #expect(h.assembler.counters.gapBlocks == 1)
        // Data after the gap is taken again.
        h.send("spBv1.0/g/NDATA/e1", Self.data(seq: 4, at: 12_500, [(1, .double(2)), (2, .double(2))]), wallMs: 3_300)
        #expect(h.blocks.last?.readings.filter(\.valid).count == 2)
    }

    @Test func aLatenessWindowGathersOneTimestampFromSeveralMessages() {
        var mapping = Self.mapping
        mapping.latenessS = 0.1
        let h = Harness(mapping)
        h.send("spBv1.0/g/NBIRTH/e1", Self.birth([("pa", 1, .double), ("pb", 2, .double)]))
        h.send("spBv1.0/g/NDATA/e1", Self.data(seq: 1, at: 10_000, [(1, .double(1))]))
        h.send("spBv1.0/g/NDATA/e1", Self.data(seq: 2, at: 10_050, [(1, .double(2))]))
        // Out of order but inside the window: joins the 10 000 ms block.
        h.send("spBv1.0/g/NDATA/e1", Self.data(seq: 3, at: 10_000, [(2, .double(3))]))
        #expect(h.blocks.isEmpty)
        h.send("spBv1.0/g/NDATA/e1", Self.data(seq: 4, at: 10_100, [(1, .double(4))]))
        #expect(h.blocks.count == 1)
        #expect(h.blocks[0].timeMs == 10_000)
        #expect(h.blocks[0].readings.count == 2)
        // The window also closes on wall time (a feed that stops).
        h.assembler.tick(wallMs: 1_000 + 100) { h.blocks.append($0) }
        #expect(h.blocks.map(\.timeMs) == [10_000, 10_050, 10_100])
    }

    @Test func anUnknownAliasAsksItsEdgeNodeForABirthAtMostEveryFiveSeconds() {
        let h = Harness()
        h.send("spBv1.0/g/NDATA/e1", Self.data(seq: 1, at: 10_000, [(1, .double(1))]))
        #expect(h.assembler.takeRebirthRequests(wallMs: 1_000).map(\.string) == ["spBv1.0/g/NCMD/e1"])
        h.send("spBv1.0/g/NDATA/e1", Self.data(seq: 2, at: 10_020, [(1, .double(1))]))
        #expect(h.assembler.takeRebirthRequests(wallMs: 2_000).isEmpty)
        h.send("spBv1.0/g/NDATA/e1", Self.data(seq: 3, at: 10_040, [(1, .double(1))]))
        #expect(h.assembler.takeRebirthRequests(wallMs: 6_000).map(\.string) == ["spBv1.0/g/NCMD/e1"])
        // Known aliases ask for nothing.
        h.send("spBv1.0/g/NBIRTH/e1", Self.birth([("pa", 1, .double)]))
        h.send("spBv1.0/g/NDATA/e1", Self.data(seq: 1, at: 10_060, [(1, .double(1))]))
        #expect(h.assembler.takeRebirthRequests(wallMs: 20_000).isEmpty)
        #expect(h.values[0] == [1000])
    }

    /// An NDEATH forgets the edge node's aliases, unless it is the will of an earlier session
    /// (another bdSeq). The same edge node id in two groups is two edge nodes.
    @Test func deathsForgetAliasesOnlyForTheirOwnBirthAndGroupsAreApart() {
        let h = Harness()
        var birth = Self.birth([("pa", 1, .double)])
        birth.metrics.append(SparkplugMetric(name: "bdSeq", dataType: 8, value: .long(3)))
        h.send("spBv1.0/g/NBIRTH/e1", birth)
        h.send("spBv1.0/h/NBIRTH/e1", Self.birth([("pb", 1, .double)]))
        let stale = SparkplugPayload(metrics: [SparkplugMetric(name: "bdSeq", dataType: 8, value: .long(2))])
        h.send("spBv1.0/g/NDEATH/e1", stale)
        h.send("spBv1.0/g/NDATA/e1", Self.data(seq: 1, at: 10_000, [(1, .double(1))]))
        h.send("spBv1.0/h/NDATA/e1", Self.data(seq: 1, at: 10_020, [(1, .double(2))]))
        #expect(h.values[0] == [1000])  // g/e1 alias 1 is "pa" (kPa), kept through the stale death
        #expect(h.values[1] == [2])  // h/e1 alias 1 is "pb"
        let current = SparkplugPayload(metrics: [SparkplugMetric(name: "bdSeq", dataType: 8, value: .long(3))])
        h.send("spBv1.0/g/NDEATH/e1", current)
        h.send("spBv1.0/g/NDATA/e1", Self.data(seq: 2, at: 10_040, [(1, .double(3))]))
        #expect(h.assembler.counters[.unknownAlias] == 1)
        #expect(h.values[0] == [1000])
        #expect(h.assembler.counters[.seqGap] == 0)
    }

    /// A metric named under a device maps from that device's DDATA only; the same name from the
    /// edge node itself or from another device is no reading of that sensor.
    @Test func deviceMetricsMapFromTheirDeviceOnly() {
        var mapping = Self.mapping
        mapping.metrics.append(.init(sensorIndex: 3, sensorId: "FT-D", metric: "flow", edgeNode: "e1", device: "d1"))
        let h = Harness(mapping)
        let named = { (seq: UInt64, ms: UInt64, v: Double) in
            SparkplugPayload(
                timestampMs: ms, seq: seq, metrics: [SparkplugMetric(name: "flow", dataType: 10, value: .double(v))])
        }
        h.send("spBv1.0/g/NBIRTH/e1", Self.birth([]))
        h.send("spBv1.0/g/NDATA/e1", named(1, 10_000, 1))
        h.send("spBv1.0/g/DDATA/e1/d2", named(2, 10_020, 2))
        h.send("spBv1.0/g/DDATA/e1/d1", named(3, 10_040, 3))
        #expect(h.values[3] == [3])
        #expect(h.assembler.counters[.unmappedMetric] == 2)
    }

    /// protobuf-c 1.4.1 needs its input fuzzed (docs INTEROP notes): every prefix of a valid
    /// payload, and seeded random mutations of it, are refused or decoded, never a crash, and
    /// never a value on a sensor other than the ones the BIRTH mapped.
    @Test func truncatedAndMutatedPayloadsNeverCrashOrMisassign() {
        let h = Harness()
        h.send("spBv1.0/g/NBIRTH/e1", Self.birth([("pa", 1, .double)]))
        let valid = SparkplugEncoder.encode(Self.data(seq: 1, at: 10_000, [(1, .double(2.5)), (9, .double(1))]))
        for n in 0..<valid.count { h.send("spBv1.0/g/NDATA/e1", Array(valid.prefix(n))) }
        var rng = SplitMix64(seed: 17)
        for _ in 0..<20_000 {
            var bytes = valid
            for _ in 0...(rng.next() % 4) {
                let i = Int(rng.next() % UInt64(bytes.count))
                bytes[i] = UInt8(truncatingIfNeeded: rng.next())
            }
            h.send("spBv1.0/g/NDATA/e1", bytes)
        }
        #expect(h.assembler.counters[.malformed] > 0)
        // Whatever decoded landed on sensor 0 only (the one alias the BIRTH mapped).
        #expect(h.blocks.allSatisfy { $0.readings.allSatisfy { $0.sensorIndex == 0 || !$0.valid } })
    }
}

/// A small seeded generator (reproducible test inputs).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

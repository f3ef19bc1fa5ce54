import FluxionSparkplug
import FluxionTwin

/// Turns Sparkplug B messages into sample blocks of the scenario's sensors. One thread only (the
/// MQTT client's); no I/O, so the benchmark and tests drive it directly.
///
/// ```
///  topic + payload ─► SparkplugTopic ─► decode (arena) ─► BIRTH: learn aliases, check types
///                                                        ─► DATA: seq check, alias/name ─► mapping
///  ─► value · scale + offset ─► block of its device timestamp (ms) ─► emit once the newest
///     timestamp seen is `lateness` past it (or it waited `lateness` of wall time)
/// ```
///
/// Time rule (docs/FIELD-DATA.md): a metric's time is its own timestamp, else its payload's,
/// else the wall clock at arrival. All metrics of one timestamp form one block; a block is
/// handed on once a timestamp `latenessMs` newer has been seen, or it has waited `latenessMs`
/// of wall time. A metric for a timestamp at or before the last block handed on is `late`
/// (counted, dropped); a second value for the same sensor in one block is a `duplicate`
/// (counted, the first is kept). Every block carries an invalid reading for each mapped sensor
/// that has not reported for `staleAfterMs`; a feed silent for `staleAfterMs` of wall time gets
/// a block of invalid readings for every mapped sensor, one per `staleAfterMs`.
public final class FieldAssembler {
    /// One sample time's readings.
    public struct Block: Sendable {
        public var timeMs: UInt64
        public var readings: [(sensorIndex: Int, value: Double, valid: Bool)]
    }

    private let mapping: FieldMapping
    private let latenessMs: UInt64
    private let staleMs: UInt64
    private let decoder = SparkplugDecoder()
    /// Called once per cause, the first time it happens (log it).
    public var onFirstRefusal: (FieldCounters.Cause, String) -> Void = { _, _ in }
    public private(set) var counters = FieldCounters()
    private var reported = Set<FieldCounters.Cause>()

    /// Metric name → mapping indices that may apply (filtered by source).
    private let byName: [String: [Int]]
    /// Per edge node or device (`EDGE` or `EDGE/DEVICE`): aliases and resolved names.
    private var sources: [String: SourceState] = [:]
    /// Per edge node (`GROUP/EDGE`): the seq expected next.
    private var nextSeq: [String: UInt64] = [:]

    private var pending: [UInt64: PendingBlock] = [:]
    /// Pending timestamps, ascending.
    private var pendingTimes: [UInt64] = []
    private var newestMs: UInt64 = 0
    private(set) var lastEmittedMs: UInt64?
    private var lastEmitWallMs: UInt64 = 0
    /// Per sensor index: time of its newest valid reading handed on.
    private var lastValidMs: [UInt64]
    /// Per sensor index: the newest time it has a pending reading for (the duplicate check).
    private var newestPendingMs: [UInt64]
    private var mappedSensors: [Int]

    private struct SourceState {
        /// alias → mapping index; `unmapped` or `refused` for known aliases not to use.
        var aliases: [UInt64: Int] = [:]
        /// alias → declared data type.
        var types: [UInt64: UInt32] = [:]
        /// name → mapping index (or `unmapped`/`refused`), filled on first use.
        var names: [String: Int] = [:]
        var refusedNames: Set<String> = []
    }

    private struct PendingBlock {
        var firstWallMs: UInt64
        var readings: [(sensorIndex: Int, value: Double, valid: Bool)]
    }

    /// Per edge node (`GROUP/EDGE`): the bdSeq of its current NBIRTH.
    private var bdSeqs: [String: UInt64] = [:]

    /// A bdSeq metric's value (UInt64 by the specification; any integer accepted).
    /// Not inlined: inlined into `birth`'s loop, this switch made the Swift 6.3.1 optimizer
    /// abort (CopyPropagation: "Found outside of lifetime use") and `swift build -c release` fail.
    @inline(never)
    private static func bdSeq(_ value: SparkplugValue) -> UInt64? {
        switch value {
        case .long(let v): v
        case .int(let v): UInt64(v)
        default: nil
        }
    }

    /// Edge nodes to ask for a new BIRTH (an alias no BIRTH declared: fluxiond started or
    /// reconnected after the edge node's BIRTH); taken by `takeRebirthRequests`.
    private var rebirthWanted: [String: SparkplugTopic] = [:]
    /// Per edge node (`GROUP/EDGE`): wall ms of the last rebirth request.
    private var rebirthAskedMs: [String: UInt64] = [:]
    /// Least time between two rebirth requests to one edge node, ms.
    static let rebirthIntervalMs: UInt64 = 5_000

    /// How far ahead of the wall clock a timestamp may be, ms (one day).
    static let maxAheadMs: UInt64 = 86_400_000

    private static let unmapped = -1
    private static let refused = -2
    /// Edge nodes and devices tracked at most (their aliases, names, seq, bdSeq): a publisher
    /// inventing names cannot grow the server's memory; a new one beyond it is refused (`limit`).
    static let maxSources = 4_096
    /// Metric names and aliases remembered per edge node or device at most; beyond it a BIRTH's
    /// further metrics are refused (`limit`) and a DATA's further names are resolved each time.
    static let maxNamesPerSource = 4_096

    public init(mapping: FieldMapping) {
        self.mapping = mapping
        latenessMs = UInt64((mapping.latenessS * 1000).rounded())
        staleMs = max(1, UInt64((mapping.staleAfterS * 1000).rounded()))
        var byName: [String: [Int]] = [:]
        for (i, m) in mapping.metrics.enumerated() { byName[m.metric, default: []].append(i) }
        self.byName = byName
        mappedSensors = mapping.metrics.map(\.sensorIndex)
        let n = (mappedSensors.max() ?? 0) + 1
        lastValidMs = Array(repeating: 0, count: n)
        newestPendingMs = Array(repeating: 0, count: n)
    }

    // MARK: Messages

    /// Takes one MQTT message; blocks that became complete go to `emit`.
    public func ingest(topic: String, payload: UnsafeRawBufferPointer, wallMs: UInt64, emit: (Block) -> Void) {
        counters.messages &+= 1
        guard let t = SparkplugTopic(parsing: topic) else {
            // STATE messages of host applications share the namespace; they are not readings.
            if !topic.hasPrefix("spBv1.0/STATE/") { refuse(.notSparkplug, "topic '\(topic)'") }
            return
        }
        switch t.type {
        case .nbirth, .dbirth, .ndata, .ddata, .ndeath, .ddeath: break
        default: return
        }
        // Edge node ids are unique within their group only.
        let source = "\(t.group)/\(t.source)"
        let edge = "\(t.group)/\(t.edgeNode)"
        if sources[source] == nil, nextSeq[edge] == nil, max(sources.count, nextSeq.count) >= Self.maxSources {
            return refuse(.limit, "\(topic): more than \(Self.maxSources) edge nodes and devices; not tracked")
        }
        var metrics: [SparkplugMetric] = []
        let header: (timestampMs: UInt64?, seq: UInt64?)
        do throws(SparkplugDecoder.Failure) {
            header = try decoder.decode(payload) { metrics.append($0) }
        } catch {
            return refuse(.malformed, "\(topic): \(error)")
        }
        checkSeq(t, header.seq)
        switch t.type {
        case .nbirth, .dbirth:
            birth(source: source, topic: t, metrics: metrics)
        case .ndeath:
            // The node and its devices are gone: their aliases end with them. Unless the death
            // is the last will of an earlier session (its bdSeq is not the current BIRTH's),
            // which the broker may deliver after the node has connected and born again.
            let death = metrics.first { $0.name == "bdSeq" }.flatMap { Self.bdSeq($0.value) }
            if let death, let born = bdSeqs[source], death != born { break }
            sources = sources.filter { $0.key != source && !$0.key.hasPrefix(source + "/") }
            nextSeq.removeValue(forKey: source)
            bdSeqs.removeValue(forKey: source)
            rebirthAskedMs.removeValue(forKey: source)
        case .ddeath:
            sources.removeValue(forKey: source)
        default:
            data(source: source, topic: t, metrics: metrics, payloadMs: header.timestampMs, wallMs: wallMs)
        }
        emitReady(wallMs: wallMs, emit: emit)
    }

    /// Edge nodes and devices tracked now.
    var trackedSources: Int { sources.count }
    /// Names remembered for one source (`GROUP/EDGE` or `GROUP/EDGE/DEVICE`).
    func trackedNames(_ source: String) -> Int { sources[source]?.names.count ?? 0 }

    /// The NCMD topics of edge nodes to send a `Node Control/Rebirth` now (at most one per edge
    /// node every `rebirthIntervalMs`).
    public func takeRebirthRequests(wallMs: UInt64) -> [SparkplugTopic] {
        guard !rebirthWanted.isEmpty else { return [] }
        var due: [SparkplugTopic] = []
        for (key, topic) in rebirthWanted {
            if let last = rebirthAskedMs[key], wallMs < last &+ Self.rebirthIntervalMs { continue }
            rebirthAskedMs[key] = wallMs
            due.append(topic)
        }
        rebirthWanted.removeAll(keepingCapacity: true)
        return due
    }

    /// Wall-clock housekeeping: blocks that waited `lateness`, and gap blocks for a silent feed.
    public func tick(wallMs: UInt64, emit: (Block) -> Void) {
        while let first = pendingTimes.first, let block = pending[first], wallMs >= block.firstWallMs &+ latenessMs {
            emitFirst(wallMs: wallMs, emit: emit)
        }
        guard let last = lastEmittedMs, pendingTimes.isEmpty, wallMs >= lastEmitWallMs &+ staleMs else { return }
        let t = last &+ staleMs
        counters.gapBlocks &+= 1
        counters.blocks &+= 1
        lastEmittedMs = t
        lastEmitWallMs = wallMs
        newestMs = max(newestMs, t)
        emit(Block(timeMs: t, readings: mappedSensors.map { ($0, .nan, false) }))
    }

    private func checkSeq(_ t: SparkplugTopic, _ seq: UInt64?) {
        let key = "\(t.group)/\(t.edgeNode)"
        guard let seq else { return }
        if t.type == .nbirth {
            nextSeq[key] = (seq &+ 1) & 255
            return
        }
        if let expected = nextSeq[key], seq != expected {
            refuse(.seqGap, "edge node \(key): seq \(seq), expected \(expected) (messages lost or reordered)")
        }
        nextSeq[key] = (seq &+ 1) & 255
    }

    private func birth(source: String, topic: SparkplugTopic, metrics: [SparkplugMetric]) {
        var state = SourceState()
        for m in metrics {
            guard let name = m.name else { continue }
            guard state.names.count < Self.maxNamesPerSource, state.aliases.count < Self.maxNamesPerSource else {
                refuse(
                    .limit,
                    "\(topic.string): more than \(Self.maxNamesPerSource) metrics in one BIRTH; the rest ignored")
                break
            }
            if topic.type == .nbirth, name == "bdSeq" {
                bdSeqs[source] = Self.bdSeq(m.value)
                continue
            }
            var index = resolve(name, topic: topic)
            if index >= 0, let type = m.dataType, !(SparkplugDataType(rawValue: type)?.isNumeric ?? false) {
                refuse(
                    .birthConflict,
                    "\(topic.string): metric '\(name)', mapped to sensor \(mapping.metrics[index].sensorId), is declared of data type \(type), not a number; ignored until a BIRTH declares a number"
                )
                index = Self.refused
                state.refusedNames.insert(name)
            }
            state.names[name] = index
            guard let alias = m.alias else { continue }
            if state.aliases[alias] != nil {
                // Which metric a DATA means by it cannot be known: neither is used.
                refuse(
                    .birthConflict,
                    "\(topic.string): alias \(alias) given to two metrics; ignored until a BIRTH fixes it")
                state.aliases[alias] = Self.refused
                continue
            }
            state.aliases[alias] = index
            if let type = m.dataType { state.types[alias] = type }
        }
        sources[source] = state
    }

    private func data(
        source: String, topic: SparkplugTopic, metrics: [SparkplugMetric], payloadMs: UInt64?, wallMs: UInt64
    ) {
        var state = sources[source] ?? SourceState()
        defer { sources[source] = state }
        for m in metrics {
            let index: Int
            var declared = m.dataType
            if let alias = m.alias, m.name == nil {
                guard let i = state.aliases[alias] else {
                    refuse(.unknownAlias, "\(topic.string): alias \(alias) not declared by a BIRTH of \(source)")
                    rebirthWanted["\(topic.group)/\(topic.edgeNode)"] = SparkplugTopic(
                        group: topic.group, type: .ncmd, edgeNode: topic.edgeNode)
                    continue
                }
                index = i
                if declared == nil { declared = state.types[alias] }
            } else if let name = m.name {
                if let i = state.names[name] {
                    index = i
                } else {
                    index = resolve(name, topic: topic)
                    if state.names.count < Self.maxNamesPerSource { state.names[name] = index }
                }
            } else {
                refuse(.malformed, "\(topic.string): a metric with neither name nor alias")
                continue
            }
            if index == Self.refused { continue }
            guard index >= 0 else {
                refuse(
                    .unmappedMetric,
                    "\(topic.string): metric '\(m.name ?? "alias \(m.alias ?? 0)")' is in no field.metrics entry")
                continue
            }
            let rule = mapping.metrics[index]
            let time = m.timestampMs ?? payloadMs ?? wallMs
            let value: Double
            let valid: Bool
            if m.value == .null {
                value = .nan
                valid = false
            } else {
                let type = declared.flatMap(SparkplugDataType.init(rawValue:)) ?? Self.inferred(m.value)
                guard let raw = m.value.number(as: type) else {
                    refuse(
                        .wrongType,
                        "\(topic.string): metric for sensor \(rule.sensorId) carries \(m.value) as data type \(type)")
                    continue
                }
                let v = raw * rule.scale + rule.offset
                guard v.isFinite else {
                    refuse(.wrongType, "\(topic.string): metric for sensor \(rule.sensorId) is not finite (\(raw))")
                    continue
                }
                value = v
                valid = true
            }
            add(time: time, sensor: rule.sensorIndex, value: value, valid: valid, wallMs: wallMs)
        }
    }

    /// The mapping entry of `name` as published under `topic`: an entry naming this edge node
    /// (and device) wins over one that names no source.
    private func resolve(_ name: String, topic: SparkplugTopic) -> Int {
        guard let candidates = byName[name] else { return Self.unmapped }
        var wildcard: Int?
        for i in candidates {
            let m = mapping.metrics[i]
            if let edge = m.edgeNode {
                if edge == topic.edgeNode, m.device == topic.device { return i }
            } else if wildcard == nil {
                wildcard = i
            }
        }
        return wildcard ?? Self.unmapped
    }

    private static func inferred(_ value: SparkplugValue) -> SparkplugDataType {
        switch value {
        case .int: .int32
        case .long: .int64
        case .float: .float
        case .double: .double
        case .boolean: .boolean
        case .string: .string
        case .bytes: .bytes
        case .null: .unknown
        }
    }

    // MARK: Blocks

    private func add(time: UInt64, sensor: Int, value: Double, valid: Bool, wallMs: UInt64) {
        guard time <= wallMs &+ Self.maxAheadMs else {
            return refuse(
                .futureTimestamp,
                "a reading for sensor index \(sensor) stamped \(time) ms, more than a day ahead of the server's clock (\(wallMs) ms)"
            )
        }
        if let last = lastEmittedMs, time <= last {
            return refuse(
                .late,
                "a reading for sensor index \(sensor) at \(time) ms came after that time's block (last handed on: \(last) ms)"
            )
        }
        if pending[time] == nil {
            pending[time] = PendingBlock(firstWallMs: wallMs, readings: [])
            if let last = pendingTimes.last, last > time {
                let at = pendingTimes.firstIndex { $0 > time }!
                pendingTimes.insert(time, at: at)
            } else {
                pendingTimes.append(time)
            }
        }
        // In-order data: one comparison; a time older than the sensor's newest pending one: a scan.
        if newestPendingMs[sensor] == time
            || (time < newestPendingMs[sensor] && pending[time]!.readings.contains { $0.sensorIndex == sensor })
        {
            return refuse(.duplicate, "a second value for sensor index \(sensor) at \(time) ms")
        }
        newestPendingMs[sensor] = max(newestPendingMs[sensor], time)
        pending[time]!.readings.append((sensor, value, valid))
        counters.metricsMapped &+= 1
        newestMs = max(newestMs, time)
    }

    private func emitReady(wallMs: UInt64, emit: (Block) -> Void) {
        while let first = pendingTimes.first, first &+ latenessMs <= newestMs {
            emitFirst(wallMs: wallMs, emit: emit)
        }
    }

    private func emitFirst(wallMs: UInt64, emit: (Block) -> Void) {
        let time = pendingTimes.removeFirst()
        guard var block = pending.removeValue(forKey: time) else { return }
        if lastEmittedMs == nil {
            for s in mappedSensors { lastValidMs[s] = time }
        }
        for r in block.readings where r.valid { lastValidMs[r.sensorIndex] = time }
        for s in mappedSensors where time > lastValidMs[s] &+ staleMs {
            if !block.readings.contains(where: { $0.sensorIndex == s }) { block.readings.append((s, .nan, false)) }
        }
        lastEmittedMs = time
        lastEmitWallMs = wallMs
        counters.blocks &+= 1
        emit(Block(timeMs: time, readings: block.readings))
    }

    private func refuse(_ cause: FieldCounters.Cause, _ detail: @autoclosure () -> String) {
        counters[cause] &+= 1
        if reported.insert(cause).inserted { onFirstRefusal(cause, detail()) }
    }
}

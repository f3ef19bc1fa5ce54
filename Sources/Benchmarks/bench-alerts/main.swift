// bench-alerts [DURABLE_COUNT] [BATCHED_COUNT] [--postgres URL]
//
// Alert store throughput on this machine's disk, in a fresh temporary directory (SQLite), or
// in the PostgreSQL database URL names (networks of their own, bench-<pid>-…, left in place):
//   1. durable inserts: one `save` per alert (one transaction, one WAL fsync each; what
//      fluxiond does when a single alert is raised);
//   2. batched inserts: `save` of 100 alerts per transaction;
//   3. query latency: a filtered page (detector, station, min probability, sim-time window)
//      over the batched store (100,000 alerts by default), first page and a deep page.
//   4. with --postgres, the relay (StreamAlerts across networks): one network saves an alert
//      (durable), a `PostgresAlertFeed` of another network waits for it (NOTIFY, then a read
//      of the row); 500 times, one at a time: save-to-feed and commit-to-feed latency.
// Prints the rates and still checks the results: every alert is in the store, every page
// holds only alerts that pass the filter, the total count equals a count done in Swift, and
// the feed returns every relayed alert once, as saved.

import FluxionAlerts
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func fail(_ message: String) -> Never {
    writeLine(2, "bench-alerts: FAILED: \(message)\n")
    exit(1)
}

let postgresURL: String? = CommandLine.arguments.firstIndex(of: "--postgres").flatMap {
    $0 + 1 < CommandLine.arguments.count ? CommandLine.arguments[$0 + 1] : nil
}
let args = CommandLine.arguments.filter { $0 != "--postgres" && $0 != postgresURL }
let durableCount = args.count > 1 ? Int(args[1]) ?? 2_000 : 2_000
let batchedCount = args.count > 2 ? Int(args[2]) ?? 100_000 : 100_000

/// A fresh store for one phase: SQLite in `directory`, or a network of its own in PostgreSQL.
func openStore(_ directory: URL, phase: String) throws -> any AlertStore {
    if let postgresURL { return try PostgresAlertStore(url: postgresURL, network: "bench-\(getpid())-\(phase)") }
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return try SQLiteAlertStore(directory: directory.path)
}

/// How many alerts the phase's store holds (its network only).
func stored(_ store: any AlertStore) throws -> Int {
    try store.query(AlertQuery(networks: [store.network]), pageSize: 1).totalCount
}
let detectors = ["threshold", "lof", "pinn"]
let stations = ["MAR", "SUM", "TUR", ""]

/// A deterministic alert mix: detectors, stations and probabilities cycle with different periods.
func alert(_ i: Int, id: String, network: String = "") -> AlertRecord {
    let p = 0.8 + Double((i * 7919) % 200) / 1000  // 0.800 … 0.999
    let station = stations[(i / 3) % stations.count]
    return AlertRecord(
        id: id, detector: detectors[i % detectors.count], state: i % 5 == 0 ? .raised : .cleared,
        raisedSimTimeS: Double(i) * 10, raisedWallUnixNs: 1_700_000_000_000_000_000 + Int64(i) * 1_000_000,
        clearedSimTimeS: i % 5 == 0 ? nil : Double(i) * 10 + 60, probability: p,
        severity: AlertSeverity(probability: p, sizeFraction: Double(i % 30) / 100),
        pipeID: "P\(i % 4)", positionM: Double(i % 1000) * 10, stationID: station.isEmpty ? nil : station,
        segmentID: "L1", sizeFraction: Double(i % 30) / 100, network: network)
}

let root = FileManager.default.temporaryDirectory.appendingPathComponent("bench-alerts-\(getpid())")
try? FileManager.default.removeItem(at: root)
defer { try? FileManager.default.removeItem(at: root) }

do {
    // 1. Durable single inserts.
    let durable = try openStore(root.appendingPathComponent("durable"), phase: "durable")
    var t0 = now()
    for i in 0..<durableCount { try durable.save(alert(i, id: durable.reserveID(), network: durable.network)) }
    let durableRate = Double(durableCount) / (now() - t0)
    guard try stored(durable) == durableCount else {
        fail("durable store holds \(try stored(durable)), wrote \(durableCount)")
    }
    durable.close()

    // 2. Batched inserts, 100 per transaction.
    let store = try openStore(root.appendingPathComponent("batched"), phase: "batched")
    var all: [AlertRecord] = []
    all.reserveCapacity(batchedCount)
    t0 = now()
    var i = 0
    while i < batchedCount {
        let batch = (i..<min(i + 100, batchedCount)).map { alert($0, id: store.reserveID(), network: store.network) }
        try store.save(batch)
        all += batch
        i += 100
    }
    let batchedRate = Double(batchedCount) / (now() - t0)
    guard try stored(store) == batchedCount else {
        fail("batched store holds \(try stored(store)), wrote \(batchedCount)")
    }

    // 3. Query latency over the batched store.
    let span = Double(batchedCount) * 10
    let query = AlertQuery(
        simTimeRange: (span * 0.1)...(span * 0.9), detectors: ["lof"], stationIDs: ["SUM"],
        minProbability: 0.9, networks: [store.network])
    let expected = all.filter { query.matches($0) }.count
    var firstPageMs: [Double] = []
    var deepPageMs: [Double] = []
    for _ in 0..<50 {
        t0 = now()
        let page = try store.query(query, pageSize: 100)
        firstPageMs.append((now() - t0) * 1000)
        guard page.totalCount == expected else { fail("total \(page.totalCount), Swift counted \(expected)") }
        guard page.alerts.allSatisfy({ query.matches($0) }) else { fail("a page holds an alert outside the filter") }
        // Walk 5 pages further and time the last (keyset paging: a deep page costs the same).
        var token = page.nextPageToken
        for _ in 0..<4 { token = try store.query(query, pageSize: 100, pageToken: token).nextPageToken }
        guard token != nil else { fail("fewer than 6 pages match; use a larger store") }
        t0 = now()
        let deep = try store.query(query, pageSize: 100, pageToken: token)
        deepPageMs.append((now() - t0) * 1000)
        guard deep.alerts.allSatisfy({ query.matches($0) }) else {
            fail("a deep page holds an alert outside the filter")
        }
    }
    func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
    let storeName = postgresURL == nil ? "SQLite (synchronous=FULL)" : "PostgreSQL (synchronous_commit=on)"
    print(
        String(
            format: "\(storeName) durable inserts (1 per transaction): %.0f alerts/s (%d alerts)", durableRate,
            durableCount))
    print(
        String(
            format: "batched inserts (100 per transaction):                 %.0f alerts/s (%d alerts)", batchedRate,
            batchedCount))
    print(
        String(
            format:
                "filtered page of 100 over %d alerts (%d match): first page median %.2f ms, 6th page median %.2f ms",
            batchedCount, expected, median(firstPageMs), median(deepPageMs)))
    if let postgresURL { try relay(postgresURL) }
    print("checks: OK")
} catch {
    fail("\(error)")
}

/// Writes `text` (plus a newline if missing) straight to `fd`, bypassing stdio buffers.
func writeLine(_ fd: Int32, _ text: String) {
    let bytes = Array((text.hasSuffix("\n") ? text : text + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}

/// Phase 4: save on one network, wait for it on another's feed; prints p50/p99.
func relay(_ url: String) throws {
    let source = try PostgresAlertStore(url: url, network: "bench-\(getpid())-relay-source")
    defer { source.close() }
    let feed = try PostgresAlertFeed(url: url, network: "bench-\(getpid())-relay-listener")
    defer { feed.close() }
    var saveToFeedMs: [Double] = []
    var commitToFeedMs: [Double] = []
    for i in 0..<500 {
        let a = alert(i, id: source.reserveID(), network: source.network)
        let t0 = now()
        try source.save(a)
        let committed = now()
        var got: [AlertRecord] = []
        while got.isEmpty, now() - t0 < 10 { got = try feed.next(timeoutS: 1) }
        let t1 = now()
        guard got == [a] else { fail("relay: expected \(a.id) once, got \(got.map(\.id))") }
        saveToFeedMs.append((t1 - t0) * 1000)
        commitToFeedMs.append((t1 - committed) * 1000)
    }
    guard try feed.next(timeoutS: 0.3).isEmpty else { fail("relay: an alert came twice") }
    func percentile(_ xs: [Double], _ p: Double) -> Double { xs.sorted()[Int(Double(xs.count - 1) * p)] }
    print(
        String(
            format:
                "relay (NOTIFY + row read, 500 alerts one at a time): save to feed p50 %.2f ms p99 %.2f ms; commit to feed p50 %.2f ms p99 %.2f ms",
            percentile(saveToFeedMs, 0.5), percentile(saveToFeedMs, 0.99), percentile(commitToFeedMs, 0.5),
            percentile(commitToFeedMs, 0.99)))
}

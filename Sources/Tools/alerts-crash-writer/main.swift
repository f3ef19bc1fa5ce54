// alerts-crash-writer DIR [COUNT]
//
// A test tool for the kill -9 durability test (Tests/FluxiondTests/AlertDurabilityTests):
// runs the alert engine on a synthetic detector signal that raises and clears an alert every
// few samples, saves every event to the alert store in DIR exactly as fluxiond's AlertService
// does (save returns once durable), and only then prints `<alert id> <raised|cleared>` on
// stdout. The test SIGKILLs it at a random moment and checks that every line it printed is in
// the store. COUNT (default: unbounded) stops it after that many events.

import FluxionAlerts
import FluxionDetectorKit

#if canImport(Glibc)
    import Glibc
#endif

let args = CommandLine.arguments
guard args.count >= 2 else {
    writeLine(2, "usage: alerts-crash-writer DIR [COUNT]\n")
    exit(2)
}
let limit = args.count > 2 ? Int(args[2]) ?? Int.max : Int.max

let store: SQLiteAlertStore
do {
    store = try SQLiteAlertStore(directory: args[1])
    try store.closeOrphans(wallUnixNs: 0)
} catch {
    writeLine(2, "alerts-crash-writer: \(error)\n")
    exit(1)
}
var config = AlertEngine.Configuration()
config.raiseHoldS = 1
config.clearHoldS = 1
var engine = AlertEngine(configuration: config) { store.reserveID() }
var written = 0
var t = 0.0
while written < limit {
    // 0.95 for 3 samples then 0.05 for 3: one raise and one clear every 6 s of sim time.
    let p = Int(t) % 6 < 3 ? 0.95 : 0.05
    let signal = AlertSignal(
        detector: "crash-test", simTimeS: t, wallTimeUnixNs: Int64(t * 1e9),
        estimate: DetectorEstimate(probability: p, sizeFraction: 0.05))
    t += 1
    let events = engine.process([signal])
    guard !events.isEmpty else { continue }
    do {
        try store.save(events.map(\.alert))
    } catch {
        writeLine(2, "alerts-crash-writer: \(error)\n")
        exit(1)
    }
    for e in events {
        writeLine(1, "\(e.alert.id) \(e.alert.state.name)")  // unbuffered: in the pipe at once
        written += 1
    }
}

/// Writes `text` (plus a newline if missing) straight to `fd`, bypassing stdio buffers.
func writeLine(_ fd: Int32, _ text: String) {
    let bytes = Array((text.hasSuffix("\n") ? text : text + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}

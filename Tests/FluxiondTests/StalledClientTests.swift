import FluxionClient
import FluxionTestSupport
import FluxionWire
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Clients that open StreamReadings and never read. The server's memory for them is bounded by
/// the documented 8 MiB backlog each, the connections are closed (not just sent GOAWAY) once
/// their peers have taken nothing for the idle timeout, and the memory is given back.
///
/// Before: ~10–25 MB each (write blocks over-allocated and not counted), connections kept for
/// good, and 70 MB of 20 clients' memory still held after they left.
@Suite struct StalledClientTests {
    static func rssMB(_ pid: Int32) -> Double {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Double(line.split(separator: " ").dropFirst().first ?? "0").map { $0 / 1024 } ?? 0
    }

    /// A client with a tiny receive buffer that sends the preface and one StreamReadings
    /// request, then never reads.
    static func stalledStream(port: Int) throws -> RawClient {
        let client = try RawClient(port: port, receiveBufferBytes: 4096)
        client.send(Preface.bytes())
        client.send(Wire.Envelope(callID: 1, kind: .request, method: Wire.Fluxion.streamReadings.path))
        return client
    }

    @Test func stalledStreamsAreBoundedClosedAndTheirMemoryReturned() throws {
        let server = try ServerProcess(["--free-running", "--stream-stall-timeout", "2", "--idle-timeout", "4"])
        defer { server.stop(signal: SIGKILL) }
        let pid = server.process.processIdentifier
        let conn = try FluxionConnection(host: "127.0.0.1", port: server.port, callTimeout: 20)
        defer { conn.close() }
        // Let the twin and the allocator settle before the baseline.
        usleep(500_000)
        let baseline = Self.rssMB(pid)
        let clients = 12
        var stalled: [RawClient] = []
        defer { stalled.removeAll() }
        for _ in 0..<clients { stalled.append(try Self.stalledStream(port: server.port)) }
        var peak = baseline
        var connections = UInt32.max
        // The streams fill their backlogs, end after the stall timeout, and the connections are
        // cut off once their peers have taken nothing for the idle timeout (within ~10 s).
        for _ in 0..<300 {
            usleep(100_000)
            peak = max(peak, Self.rssMB(pid))
            let health: Wire.HealthResponse = try conn.unary(Wire.Fluxion.health, Wire.HealthRequest())
            connections = health.connections
            if connections == 1 { break }
        }
        #expect(connections == 1, "stalled connections still open: \(connections - 1)")
        // Bound: 8 MiB of backlog per client, plus 25 % for the allocator and the twin's pace.
        let perClient = (peak - baseline) / Double(clients)
        #expect(perClient <= 10, "peak \(peak) MB, baseline \(baseline) MB: \(perClient) MB per stalled client")
        // Given back: within 30 MB of the baseline once they are gone (was +70 MB for 20 clients).
        usleep(1_500_000)
        let after = Self.rssMB(pid)
        #expect(after - baseline <= 30, "after \(after) MB, baseline \(baseline) MB")
    }
}

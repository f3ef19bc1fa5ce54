import Foundation
import Testing

/// `fluxion generate` end to end: a small dataset through the real CLI, and its refusals.
@Suite struct GenerateCLITests {
    static func temporary() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("generate-\(UUID())").path
    }

    static let small = [
        "generate", "--scenario", "water-main-leak", "--cases", "3", "--seed", "5", "--min-start", "20",
        "--max-start", "30", "--before", "10", "--after", "10", "--no-progress",
    ]

    @Test func writesADatasetAndSaysWhat() throws {
        let out = Self.temporary()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try runProduct("fluxion", Self.small + ["--out", out])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.hasPrefix("wrote 3 cases × "), "\(r.out)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(files == ["leak_flow.npy", "leak_open.npy", "manifest.json", "series.npy", "time.npy"])
        let manifest =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json"))) as? [String: Any]
        #expect(manifest?["scenario"] as? String == "water-main-leak")
        #expect((manifest?["scenario_sha256"] as? String)?.count == 64)
        // Nothing is left beside it under a temporary name.
        let parent = (out as NSString).deletingLastPathComponent
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: parent).filter {
            $0.hasPrefix(".\((out as NSString).lastPathComponent).partial")
        }
        #expect(leftovers.isEmpty)
    }

    @Test(arguments: [
        (["--cases", "0"], "--cases must be in 1…100000, got 0"),
        (["--normal-fraction", "1.5"], "--normal-fraction must be in 0…1, got 1.5"),
        (["--leaks-per-case", "11"], "--leaks-per-case must be in 1…10, got 11"),
        (["--sample", "nan"], "--sample must be in (0, 1e7] s, got nan"),
        (["--min-start", "5", "--before", "10"], "--min-start (5.0 s) must be ≥ --before (10.0 s)"),
        (["--scenario", "no-such-scenario"], "scenario no-such-scenario:"),
    ])
    func badOptionsAreOneLineErrors(extra: [String], message: String) throws {
        let out = Self.temporary()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try runProduct("fluxion", Self.small + ["--out", out] + extra)
        #expect(r.status != 0)
        #expect(r.err.contains(message), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func aNonEmptyOutputDirectoryIsRefusedUntouched() throws {
        let out = Self.temporary()
        defer { try? FileManager.default.removeItem(atPath: out) }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: out + "/mine.txt"))
        let r = try runProduct("fluxion", Self.small + ["--out", out])
        #expect(r.status != 0)
        #expect(r.err.contains("exists and is not empty"), "\(r.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["mine.txt"])
    }
}

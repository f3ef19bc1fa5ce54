import FluxionDetectorKit
import FluxionScenario
import FluxionTwin
import Foundation
import Testing

@testable import FluxionDetectors

/// The labelled-dataset generator (`fluxion generate`): what it records is what the twin did.
@Suite struct DatasetTests {
    /// A short liquid dataset: windows of 20 s around onsets 25…35 s (the debug build's twin is
    /// slow; the checks do not depend on the length).
    static func plan(_ scenario: Scenario, count: Int = 5, leaks: Int = 1, normal: Double = 0) -> DatasetPlan {
        DatasetPlan(
            scenario: scenario, count: count, seed: 11, startRangeS: 25...35, beforeS: 10, afterS: 10,
            maxRampS: 2, leaksPerCase: leaks, normalFraction: normal)
    }

    @Test func planIsDeterministicAndDrawsAsEvaluationDoes() throws {
        let scenario = try EmbeddedScenarios.load("water-main-leak")
        let a = Self.plan(scenario, count: 50, leaks: 3, normal: 0.3)
        #expect(a.cases == Self.plan(scenario, count: 50, leaks: 3, normal: 0.3).cases)
        let normal = a.cases.filter(\.leaks.isEmpty).count
        // 50 draws at p = 0.3: 15 expected; 4…26 holds with probability > 0.9999 (binomial).
        #expect((4...26).contains(normal), "\(normal) normal cases of 50")
        for c in a.cases where !c.leaks.isEmpty {
            #expect(c.leaks.count == 3)
            #expect(abs(c.windowEndS - c.windowStartS - 20) < 1e-9)
            let first = c.leaks[0].startS
            #expect(c.leaks.allSatisfy { $0.startS >= first && $0.startS <= first + 5 })
            #expect(c.leaks.allSatisfy { (0.005...0.05).contains($0.sizeFraction) })
        }
        // The first leak of each case is drawn by the sampler `fluxion evaluate` uses: the same
        // generator state gives the same draw (a plan with no normal cases keeps it).
        var rng = SeededRandom(seed: 11, stream: 0xDA7A)
        let first = LeakSampler(network: scenario.network).draw(
            &rng, sizeRange: 0.005...0.05, startRangeS: 25...35, maxRampS: 2)
        #expect(Self.plan(scenario, count: 1).cases[0].leaks == [first])
    }

    /// Every recorded row holds, for each sensor, the newest reading the twin gave up to the
    /// row's time (run again here, reading by reading), and the leak truth the twin reports.
    @Test func rowsHoldTheTwinsNewestReadingsAndItsLeakOutflow() throws {
        let scenario = try EmbeddedScenarios.load("water-main-leak")
        let plan = Self.plan(scenario, count: 2)
        let generator = try DatasetGenerator(scenario: scenario, sampleS: 0.5, windowS: 20)
        #expect(generator.samples == 40)
        let c = plan.cases[0]
        let data = try generator.run(c)
        let sensors = generator.network.sensors.count
        #expect(data.series.count == 40 * sensors)

        var s = scenario
        s.leaks = []
        s.autopilot.enabled = false
        var sim = try Simulation(scenario: s, seed: c.seed)
        let leak = try #require(c.leaks.first)
        _ = try sim.injectLeak(
            LeakRequest(
                location: .pipe(id: leak.pipeID, positionM: leak.positionM),
                size: .fractionOfNominalFlow(leak.sizeFraction), startS: leak.startS, rampS: leak.rampS))
        var latest = [Float](repeating: .nan, count: sensors)
        for k in 0..<40 {
            sim.advance(toTimeS: c.windowStartS + Double(k) * 0.5) { readings in
                for r in readings { latest[r.sensorIndex] = r.valid ? Float(r.value) : .nan }
            }
            #expect(data.time[k] == sim.timeS)
            let row = Array(data.series[(k * sensors)..<((k + 1) * sensors)])
            #expect(zip(row, latest).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }, "row \(k)")
            #expect(data.leakOpen[k] == (sim.timeS >= leak.startS ? 1 : 0))
            #expect(data.leakFlow[k] == Float(sim.leaks().reduce(0) { $0 + $1.currentFlow }))
        }
        // The leak opens inside the window and loses water once open.
        #expect(data.leakOpen.first == 0 && data.leakOpen.last == 1)
        #expect((data.leakFlow.last ?? 0) > 0)
        let label = try #require(data.leaks.first)
        #expect(label.pipeID == leak.pipeID && label.onsetS == leak.startS)
        #expect(label.chainageM != nil && label.lineID != nil)
    }

    /// The same seed gives the same bytes whatever the number of jobs; the files are NumPy
    /// arrays of the shapes the manifest gives.
    @Test func outputIsTheSameForAnyJobsAndReadsAsNumPy() throws {
        let scenario = try EmbeddedScenarios.load("water-main-leak")
        let plan = Self.plan(scenario, count: 4, leaks: 2, normal: 0.25)
        let generator = try DatasetGenerator(scenario: scenario, sampleS: 1, windowS: 20)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("dataset-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        var outputs: [[String: Data]] = []
        for jobs in [1, 3] {
            let dir = "\(root)/jobs\(jobs)"
            let writer = try DatasetWriter(
                directory: dir, count: 4, generator: generator, scenarioSHA256: "ab", seed: 11, options: [:])
            try DatasetRun.run(plan.cases, jobs: jobs) { c in
                try writer.write(try generator.run(c), seed: c.seed, windowStartS: c.windowStartS)
            }
            try writer.finish()
            let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
            #expect(files == ["leak_flow.npy", "leak_open.npy", "manifest.json", "series.npy", "time.npy"])
            outputs.append(
                Dictionary(
                    uniqueKeysWithValues: try files.map {
                        ($0, try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\($0)")))
                    }))
        }
        #expect(outputs[0] == outputs[1])
        let sensors = generator.network.sensors.count
        let header = try #require(Self.npyHeader(outputs[0]["series.npy"]!))
        #expect(header.contains("'descr': '<f4'") && header.contains("'shape': (4, 20, \(sensors))"))
        #expect(outputs[0]["series.npy"]!.count - (10 + header.utf8.count) == 4 * 20 * sensors * 4)
        let manifest = try JSONDecoder().decode(DatasetWriter.Manifest.self, from: outputs[0]["manifest.json"]!)
        #expect(manifest.format == "fluxion-dataset" && manifest.formatVersion == 1)
        #expect(manifest.cases.map(\.leaks.count) == plan.cases.map(\.leaks.count))
        #expect(manifest.sensors.first { $0.quantity == "pressure" }?.chainageM != nil)
    }

    @Test func aNonEmptyDirectoryIsRefusedAndNothingIsWritten() throws {
        let scenario = try EmbeddedScenarios.load("water-main-leak")
        let generator = try DatasetGenerator(scenario: scenario, sampleS: 1, windowS: 20)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dataset-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: dir + "/notes.txt"))
        #expect(throws: DatasetError.outputExists(dir)) {
            _ = try DatasetWriter(
                directory: dir, count: 1, generator: generator, scenarioSHA256: "", seed: 1, options: [:])
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["notes.txt"])
    }

    /// The header text of a .npy file (format 1.0), nil when the magic is wrong.
    static func npyHeader(_ data: Data) -> String? {
        let b = [UInt8](data.prefix(10))
        guard b.count == 10, b[0] == 0x93, Array(b[1...5]) == Array("NUMPY".utf8), b[6] == 1 else { return nil }
        let n = Int(b[8]) | Int(b[9]) << 8
        guard (10 + n) % 64 == 0 else { return nil }
        return String(decoding: data[10..<(10 + n)], as: UTF8.self)
    }
}

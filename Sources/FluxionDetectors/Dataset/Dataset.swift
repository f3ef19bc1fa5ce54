import Foundation

/// A dataset directory written by `fluxion generate`, read back whole (docs/DATASETS.md).
public struct Dataset: Sendable {
    public var manifest: DatasetWriter.Manifest
    /// cases × samples × sensors; NaN: no valid reading.
    public var series: NumpyArray
    public var time: NumpyArray
    public var leakOpen: NumpyArray
    public var leakFlow: NumpyArray

    /// Reads `directory`; anything that is not a complete dataset of this format is a
    /// `DatasetError.notADataset` naming the file and what is wrong.
    public init(directory: String) throws {
        let path = directory + "/manifest.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError.notADataset(path: directory, "no manifest.json (make one with `fluxion generate`)")
        }
        do { manifest = try JSONDecoder().decode(DatasetWriter.Manifest.self, from: data) } catch {
            throw DatasetError.notADataset(path: path, "manifest does not decode (\(error))")
        }
        guard manifest.format == DatasetWriter.format, manifest.formatVersion == DatasetWriter.formatVersion else {
            throw DatasetError.notADataset(
                path: path,
                "format \(manifest.format) version \(manifest.formatVersion); this build reads \(DatasetWriter.format) version \(DatasetWriter.formatVersion)"
            )
        }
        // A grid step `fluxion generate --sample` can write (at most 1e7 s; at least the solver's
        // step, never below 1 µs): anything else would divide into an unbounded count.
        guard manifest.sampleS.isFinite, (1e-6...1e7).contains(manifest.sampleS) else {
            throw DatasetError.notADataset(path: path, "sample_s \(manifest.sampleS) is not a grid step in 1 µs…1e7 s")
        }
        let n = manifest.cases.count, t = manifest.samplesPerCase, s = manifest.sensors.count
        series = try NumpyArray(path: directory + "/series.npy")
        time = try NumpyArray(path: directory + "/time.npy")
        leakOpen = try NumpyArray(path: directory + "/leak_open.npy")
        leakFlow = try NumpyArray(path: directory + "/leak_flow.npy")
        for (name, a, want) in [
            ("series.npy", series, [n, t, s]), ("time.npy", time, [n, t]), ("leak_open.npy", leakOpen, [n, t]),
            ("leak_flow.npy", leakFlow, [n, t]),
        ] where a.shape != want {
            throw DatasetError.notADataset(path: directory + "/" + name, "shape \(a.shape), the manifest says \(want)")
        }
    }
}

import Foundation

/// Buffered text output to a file or standard output.
final class CSVWriter {
    private let handle: FileHandle
    private let ownsHandle: Bool
    private var buffer = [UInt8]()

    init?(path: String) {
        if path == "-" {
            handle = FileHandle.standardOutput
            ownsHandle = false
        } else {
            guard FileManager.default.createFile(atPath: path, contents: nil),
                let h = FileHandle(forWritingAtPath: path)
            else { return nil }
            handle = h
            ownsHandle = true
        }
        buffer.reserveCapacity(1 << 20)
    }

    func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 20 { flush() }
    }

    func flush() {
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    func close() {
        flush()
        if ownsHandle { try? handle.close() }
    }
}

/// A progress bar on standard error, redrawn at most 100 times.
final class ProgressBar {
    private let totalS: Double
    private let enabled: Bool
    private var lastPercent = -1

    init(totalS: Double, enabled: Bool) {
        self.totalS = totalS
        self.enabled = enabled
    }

    func update(_ t: Double) {
        guard enabled else { return }
        let percent = min(100, Int(t / totalS * 100))
        guard percent != lastPercent else { return }
        lastPercent = percent
        let width = 40, filled = percent * width / 100
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(percent)% t=\(Int(t)) s".utf8))
    }

    func finish() {
        if enabled && lastPercent >= 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

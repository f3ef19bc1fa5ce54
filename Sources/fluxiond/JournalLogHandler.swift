import Foundation
import Logging

/// Log lines for journald: when fluxiond's stderr is the journal (systemd sets `JOURNAL_STREAM`),
/// each line starts with its syslog priority (`<6>` info, `<4>` warning, …, as sd-daemon(3)
/// describes) and carries no timestamp of its own, so `journalctl -p warning` filters by level
/// and the journal's own time is the only one.
struct JournalLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    let label: String

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Whether stderr is connected to the journal.
    static var stderrIsJournal: Bool { ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil }

    func log(
        level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String,
        file: String, function: String, line: UInt
    ) {
        let priority: Int
        switch level {
        case .trace, .debug: priority = 7
        case .info: priority = 6
        case .notice: priority = 5
        case .warning: priority = 4
        case .error: priority = 3
        case .critical: priority = 2
        }
        var all = metadata
        if let extra { all.merge(extra) { $1 } }
        let tags =
            all.isEmpty
            ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let text = "<\(priority)>\(message)\(tags)\n"
        _ = Array(text.utf8).withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}

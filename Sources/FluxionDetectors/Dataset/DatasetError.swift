/// Why a dataset could not be written or read.
public enum DatasetError: Error, Equatable, CustomStringConvertible {
    /// A file operation failed.
    case io(path: String, String)
    /// The output directory exists and is not empty.
    case outputExists(String)
    /// A dataset directory that is not one, or of another format.
    case notADataset(path: String, String)

    public var description: String {
        switch self {
        case .io(let path, let reason): "\(path): \(reason)"
        case .outputExists(let path): "\(path): exists and is not empty (choose a new directory)"
        case .notADataset(let path, let reason): "\(path): not a Fluxion dataset: \(reason)"
        }
    }
}

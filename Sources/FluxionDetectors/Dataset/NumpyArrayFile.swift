import Foundation

/// A NumPy `.npy` file (format 1.0) written in place: the header first, then the array's bytes,
/// slice by slice at their offsets, so that cases finishing in any order on several threads land
/// where they belong. `numpy.load(path)` reads it as is (`mmap_mode="r"` for large ones).
///
/// Layout (numpy.lib.format): the magic `\x93NUMPY`, version 1.0, a little-endian UInt16 header
/// length, the header dict (`descr`, `fortran_order`, `shape`) padded with spaces and a newline
/// to a multiple of 64 bytes, then the C-order data.
public final class NumpyArrayFile: @unchecked Sendable {
    /// The element types written here.
    public enum Element: String, Sendable {
        case float32 = "<f4"
        case float64 = "<f8"
        case uint8 = "|u1"

        var size: Int {
            switch self {
            case .float32: 4
            case .float64: 8
            case .uint8: 1
            }
        }
    }

    public let path: String
    public let shape: [Int]
    public let element: Element
    private let fd: Int32
    private let dataOffset: Int

    /// Creates `path` (replacing it) with room for an array of `shape`, zero-filled.
    public init(path: String, element: Element, shape: [Int]) throws {
        self.path = path
        self.shape = shape
        self.element = element
        let dims = shape.count == 1 ? "\(shape[0])," : shape.map(String.init).joined(separator: ", ")
        var header = "{'descr': '\(element.rawValue)', 'fortran_order': False, 'shape': (\(dims)), }"
        let unpadded = 6 + 2 + 2 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        let n = UInt16(header.utf8.count)
        bytes += [UInt8(n & 0xFF), UInt8(n >> 8)] + Array(header.utf8)
        dataOffset = bytes.count
        fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DatasetError.io(path: path, String(cString: strerror(errno))) }
        let total = dataOffset + shape.reduce(1, *) * element.size
        guard ftruncate(fd, off_t(total)) == 0 else {
            let e = String(cString: strerror(errno))
            close(fd)
            throw DatasetError.io(path: path, e)
        }
        try write(bytes, at: 0)
    }

    deinit { close(fd) }

    /// Writes `values` as elements `index…` of the flattened array.
    public func write(_ values: [Float], atElement index: Int) throws {
        precondition(element == .float32)
        try values.withUnsafeBytes { try write($0, at: dataOffset + index * 4) }
    }

    /// Writes `values` as elements `index…` of the flattened array.
    public func write(_ values: [Double], atElement index: Int) throws {
        precondition(element == .float64)
        try values.withUnsafeBytes { try write($0, at: dataOffset + index * 8) }
    }

    /// Writes `values` as elements `index…` of the flattened array.
    public func write(_ values: [UInt8], atElement index: Int) throws {
        precondition(element == .uint8)
        try values.withUnsafeBytes { try write($0, at: dataOffset + index) }
    }

    /// Flushes the file to disk.
    public func sync() throws {
        guard fsync(fd) == 0 else { throw DatasetError.io(path: path, String(cString: strerror(errno))) }
    }

    private func write(_ bytes: [UInt8], at offset: Int) throws {
        try bytes.withUnsafeBytes { try write($0, at: offset) }
    }

    private func write(_ raw: UnsafeRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < raw.count {
            let n = pwrite(fd, raw.baseAddress! + done, raw.count - done, off_t(offset + done))
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw DatasetError.io(path: path, String(cString: strerror(errno))) }
            done += n
        }
    }
}

/// A NumPy `.npy` array read whole: its shape and its elements as `Double` (float32, float64
/// and uint8 files, little-endian, C order — what `NumpyArrayFile` writes).
public struct NumpyArray: Sendable {
    public var shape: [Int]
    public var values: [Double]

    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError.io(path: path, "cannot be read")
        }
        let bytes = [UInt8](data)
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8), bytes[6] == 1 else {
            throw DatasetError.notADataset(path: path, "not a NumPy .npy file of format 1.0")
        }
        let n = Int(bytes[8]) | Int(bytes[9]) << 8
        guard bytes.count >= 10 + n else { throw DatasetError.notADataset(path: path, "truncated header") }
        let header = String(decoding: bytes[10..<(10 + n)], as: UTF8.self)
        guard header.contains("'fortran_order': False") else {
            throw DatasetError.notADataset(path: path, "Fortran order is not read here")
        }
        guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")")
        else { throw DatasetError.notADataset(path: path, "no shape in the header") }
        shape = header[open.upperBound..<close].split(separator: ",").compactMap {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        let count = shape.reduce(1, *)
        let body = 10 + n
        let element: NumpyArrayFile.Element
        if header.contains("'<f4'") {
            element = .float32
        } else if header.contains("'<f8'") {
            element = .float64
        } else if header.contains("'|u1'") {
            element = .uint8
        } else {
            throw DatasetError.notADataset(path: path, "element type is not float32, float64 or uint8")
        }
        guard bytes.count == body + count * element.size else {
            throw DatasetError.notADataset(
                path: path, "holds \(bytes.count - body) bytes of data, the header says \(count * element.size)")
        }
        values = bytes.withUnsafeBytes { raw in
            let p = raw.baseAddress! + body
            switch element {
            case .float32: return (0..<count).map { Double(p.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self)) }
            case .float64: return (0..<count).map { p.loadUnaligned(fromByteOffset: $0 * 8, as: Double.self) }
            case .uint8: return (0..<count).map { Double(p.load(fromByteOffset: $0, as: UInt8.self)) }
            }
        }
    }
}

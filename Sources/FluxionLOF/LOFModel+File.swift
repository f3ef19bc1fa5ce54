import Foundation

/// The LOF model file, format version 1. All numbers little-endian.
///
/// ```
/// offset  size  field
///      0     8  magic 89 4C 4F 46 0D 0A 1A 0A  ("\x89LOF\r\n\x1a\n": a text-mode or 7-bit copy breaks it)
///      8     4  format version (UInt32) = 1
///     12     4  flags (UInt32): bit 0 = feature scaling present; other bits must be 0
///     16     8  training point count n (UInt64), at least 2
///     24     4  dimension d (UInt32), at least 1
///     28     4  requested n_neighbors (UInt32), at least 1
///     32     4  effective k = max(1, min(n_neighbors, n - 1)) (UInt32)
///     36     4  contamination kind (UInt32): 0 = 'auto', 1 = fraction
///     40     8  contamination fraction (Float64; 0 for 'auto')
///     48     8  offset_ (Float64)
///     56   16d  if scaling: mean[d] then scale[d] (Float64)
///      …   8nd  training points, row-major (Float64; standardized when scaling is present)
///    end     4  CRC-32 (zlib's) of every byte before it
/// ```
///
/// Loading checks, in order: magic, version, the length the header declares, the checksum,
/// then every field's range; the LOF is then refitted from the stored points (neighbour
/// tables are derived data, not stored) and must reproduce the stored k and offset_ exactly.
extension LOFModel {
    /// The magic bytes that open every LOF model file.
    public static let fileMagic: [UInt8] = [0x89, 0x4C, 0x4F, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]
    /// The format version this build writes and reads.
    public static let fileFormatVersion: UInt32 = 1
    /// Bytes before the optional scaling block.
    static let headerSize = 56

    /// The model as file bytes.
    public func encoded() -> [UInt8] {
        let training = detector.training
        var out = ByteWriter()
        out.bytes.reserveCapacity(Self.headerSize + 8 * (training.values.count + 2 * dimension) + 4)
        out.bytes += Self.fileMagic
        out.u32(Self.fileFormatVersion)
        out.u32(scaling == nil ? 0 : 1)
        out.u64(UInt64(training.count))
        out.u32(UInt32(training.dimension))
        out.u32(UInt32(min(detector.parameters.neighbors, Int(UInt32.max))))
        out.u32(UInt32(detector.k))
        switch detector.parameters.contamination {
        case .auto: out.u32(0); out.f64(0)
        case let .fraction(c): out.u32(1); out.f64(c)
        }
        out.f64(detector.offset)
        if let scaling {
            scaling.mean.forEach { out.f64($0) }
            scaling.scale.forEach { out.f64($0) }
        }
        training.values.forEach { out.f64($0) }
        out.u32(CRC32.checksum(out.bytes))
        return out.bytes
    }

    /// Decodes and validates model file bytes.
    /// - Parameter expectedDimension: when given, the model must have this many features.
    /// - Throws: `LOFModelFileError`.
    public init(decoding bytes: [UInt8], expectedDimension: Int? = nil) throws {
        guard bytes.count >= Self.fileMagic.count else {
            throw LOFModelFileError.truncated(expected: Self.headerSize + 4, actual: bytes.count)
        }
        guard Array(bytes[0..<8]) == Self.fileMagic else { throw LOFModelFileError.wrongMagic }
        var reader = ByteReader(bytes: bytes, position: 8)
        guard bytes.count >= 12 else {
            throw LOFModelFileError.truncated(expected: Self.headerSize + 4, actual: bytes.count)
        }
        let version = reader.u32()
        guard version == Self.fileFormatVersion else {
            throw LOFModelFileError.unsupportedVersion(found: version, supported: Self.fileFormatVersion)
        }
        guard bytes.count >= Self.headerSize + 4 else {
            throw LOFModelFileError.truncated(expected: Self.headerSize + 4, actual: bytes.count)
        }
        let flags = reader.u32()
        let count = reader.u64()
        let dimension = reader.u32()
        let hasScaling = flags & 1 != 0
        // Computed in Double first so a corrupt count cannot overflow Int.
        let declared = Double(Self.headerSize) + 4 + 8 * Double(dimension) * (Double(count) + (hasScaling ? 2 : 0))
        guard declared <= Double(bytes.count) else {
            throw LOFModelFileError.truncated(
                expected: declared < 1e18 ? Int(declared) : Int.max, actual: bytes.count)
        }
        let length = Int(declared)
        guard length == bytes.count else {
            throw LOFModelFileError.trailingBytes(expected: length, actual: bytes.count)
        }
        let stored = bytes[length - 4..<length].enumerated()
            .reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
        let computed = CRC32.checksum(bytes[0..<length - 4])
        guard stored == computed else {
            throw LOFModelFileError.checksumMismatch(stored: stored, computed: computed)
        }
        try self.init(fields: &reader, flags: flags, count: Int(count), dimension: Int(dimension))
        if let expectedDimension, expectedDimension != self.dimension {
            throw LOFModelFileError.dimensionMismatch(model: self.dimension, expected: expectedDimension)
        }
    }

    /// Reads the fields after the length and checksum passed; range checks, then refits.
    private init(fields reader: inout ByteReader, flags: UInt32, count: Int, dimension: Int) throws {
        func invalid(_ name: String, _ value: Any) -> LOFModelFileError {
            .invalidField(name: name, value: "\(value)")
        }
        guard flags & ~1 == 0 else { throw invalid("flags", flags) }
        guard count >= 2 else { throw invalid("point count", count) }
        guard dimension >= 1 else { throw invalid("dimension", dimension) }
        let neighbors = Int(reader.u32())
        let k = Int(reader.u32())
        let kind = reader.u32()
        let fraction = reader.f64()
        let offset = reader.f64()
        guard neighbors >= 1 else { throw invalid("n_neighbors", neighbors) }
        let contamination: LOFParameters.Contamination
        switch kind {
        case 0: contamination = .auto
        case 1:
            guard fraction > 0 && fraction <= 0.5 else { throw invalid("contamination", fraction) }
            contamination = .fraction(fraction)
        default: throw invalid("contamination kind", kind)
        }
        let parameters = LOFParameters(neighbors: neighbors, contamination: contamination)
        guard k == parameters.effectiveNeighbors(trainingCount: count) else { throw invalid("k", k) }
        guard offset.isFinite else { throw invalid("offset", offset) }
        var scaling: FeatureScaling?
        if flags & 1 != 0 {
            let mean = (0..<dimension).map { _ in reader.f64() }
            let scale = (0..<dimension).map { _ in reader.f64() }
            do { scaling = try FeatureScaling(mean: mean, scale: scale) } catch {
                throw invalid("feature scaling", error)
            }
        }
        let values = (0..<count * dimension).map { _ in reader.f64() }
        let training: FeatureMatrix
        do { training = try FeatureMatrix(count: count, dimension: dimension, values: values) } catch {
            throw invalid("training points", error)
        }
        let detector = try LocalOutlierFactor(fitting: training, parameters: parameters)
        guard detector.offset.bitPattern == offset.bitPattern else {
            throw invalid("offset (refitted \(detector.offset))", offset)
        }
        try self.init(detector: detector, scaling: scaling)
    }

    /// Reads and validates the model file at `path`.
    /// - Throws: `LOFModelFileError`.
    public init(contentsOf path: String, expectedDimension: Int? = nil) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LOFModelFileError.io(path: path, reason: "cannot read file")
        }
        try self.init(decoding: [UInt8](data), expectedDimension: expectedDimension)
    }

    /// Writes the model file to `path` atomically (a temporary file, then a rename).
    /// - Throws: `LOFModelFileError.io`.
    public func write(to path: String) throws {
        do {
            try Data(encoded()).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw LOFModelFileError.io(path: path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}

/// Appends little-endian numbers.
private struct ByteWriter {
    var bytes: [UInt8] = []
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func f64(_ v: Double) { u64(v.bitPattern) }
}

/// Reads little-endian numbers; callers check the length first.
private struct ByteReader {
    let bytes: [UInt8]
    var position: Int
    mutating func u64() -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += 8
        return v
    }
    mutating func u32() -> UInt32 {
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[position + i]) << (8 * UInt32(i)) }
        position += 4
        return v
    }
    mutating func f64() -> Double { Double(bitPattern: u64()) }
}

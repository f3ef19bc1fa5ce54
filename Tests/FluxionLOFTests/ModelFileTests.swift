import Foundation
import Testing

@testable import FluxionLOF

/// Model file round trip and every refusal: wrong magic, unsupported version, truncation,
/// trailing bytes, checksum mismatch, dimension mismatch, out-of-range fields.
@Suite struct ModelFileTests {
    func model(
        standardize: Bool = false, contamination: LOFParameters.Contamination = .fraction(0.1)
    ) throws -> LOFModel {
        var values: [Double] = []
        for i in 0..<120 { values += [Double(i % 11) * 0.7, Double(i % 7) * 3.1 + 100, sin(Double(i))] }
        return try LOFModel(
            fitting: FeatureMatrix(count: 120, dimension: 3, values: values),
            parameters: LOFParameters(neighbors: 10, contamination: contamination), standardize: standardize)
    }

    let probe = try! FeatureMatrix(rows: [[0.5, 101, 0.2], [9, 90, -1], [3.5, 112.4, 0.9]])

    /// Rewrites the trailing CRC so that a deliberately edited header reaches the field checks.
    func resealed(_ bytes: [UInt8]) -> [UInt8] {
        var copy = Array(bytes.dropLast(4))
        let crc = CRC32.checksum(copy)
        withUnsafeBytes(of: crc.littleEndian) { copy += $0 }
        return copy
    }

    @Test(arguments: [false, true])
    func roundTrip(standardize: Bool) throws {
        let original = try model(standardize: standardize)
        let decoded = try LOFModel(decoding: original.encoded(), expectedDimension: 3)
        #expect(decoded.scaling == original.scaling)
        #expect((decoded.scaling != nil) == standardize)
        #expect(decoded.detector.k == original.detector.k)
        #expect(decoded.detector.offset == original.detector.offset)
        #expect(decoded.detector.training == original.detector.training)
        #expect(try decoded.scores(of: probe) == (try original.scores(of: probe)))
    }

    @Test func roundTripThroughAFile() throws {
        let original = try model(contamination: .auto)
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("lof-\(UUID().uuidString).model").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try original.write(to: path)
        let loaded = try LOFModel(contentsOf: path)
        #expect(loaded.detector.parameters == original.detector.parameters)
        #expect(try loaded.scores(of: probe) == (try original.scores(of: probe)))
        #expect(throws: LOFModelFileError.io(path: path + ".missing", reason: "cannot read file")) {
            try LOFModel(contentsOf: path + ".missing")
        }
    }

    @Test func checksumIsZlibCRC32() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test func wrongMagic() throws {
        var bytes = try model().encoded()
        bytes[1] = UInt8(ascii: "X")
        #expect(throws: LOFModelFileError.wrongMagic) { try LOFModel(decoding: bytes) }
        #expect(throws: LOFModelFileError.wrongMagic) { try LOFModel(decoding: Array("x,y\n1,2\n".utf8)) }
    }

    @Test func unsupportedVersion() throws {
        var bytes = try model().encoded()
        bytes[8] = 2
        #expect(throws: LOFModelFileError.unsupportedVersion(found: 2, supported: 1)) {
            try LOFModel(decoding: bytes)
        }
    }

    @Test func truncatedAnywhere() throws {
        let bytes = try model().encoded()
        for length in [0, 5, 8, 11, 30, 59, bytes.count / 2, bytes.count - 1] {
            #expect(throws: LOFModelFileError.self) { try LOFModel(decoding: Array(bytes.prefix(length))) }
        }
        #expect(throws: LOFModelFileError.truncated(expected: bytes.count, actual: bytes.count - 1)) {
            try LOFModel(decoding: Array(bytes.dropLast()))
        }
        #expect(throws: LOFModelFileError.trailingBytes(expected: bytes.count, actual: bytes.count + 1)) {
            try LOFModel(decoding: bytes + [0])
        }
    }

    @Test func checksumMismatchOnAnyFlippedBit() throws {
        let bytes = try model(standardize: true).encoded()
        for position in [40, 48, 60, bytes.count / 2, bytes.count - 5, bytes.count - 1] {
            var corrupt = bytes
            corrupt[position] ^= 0x10
            #expect {
                try LOFModel(decoding: corrupt)
            } throws: { error in
                if case .checksumMismatch = error as? LOFModelFileError { return true }
                return false
            }
        }
    }

    @Test func dimensionMismatch() throws {
        let bytes = try model().encoded()
        #expect(throws: LOFModelFileError.dimensionMismatch(model: 3, expected: 5)) {
            try LOFModel(decoding: bytes, expectedDimension: 5)
        }
        let decoded = try LOFModel(decoding: bytes)
        #expect(throws: LOFError.dimensionMismatch(expected: 3, found: 2)) {
            try decoded.scores(of: FeatureMatrix(rows: [[1, 2]]))
        }
    }

    @Test func fieldsOutOfRangeAreRefusedEvenWithAValidChecksum() throws {
        let bytes = try model().encoded()
        var badK = bytes
        badK[32] = 3  // k must be min(n_neighbors, n - 1) = 10
        #expect(throws: LOFModelFileError.invalidField(name: "k", value: "3")) {
            try LOFModel(decoding: resealed(badK))
        }
        var badOffset = bytes
        badOffset[48] ^= 1  // a different offset_ than the stored points give
        #expect {
            try LOFModel(decoding: resealed(badOffset))
        } throws: { error in
            if case .invalidField = error as? LOFModelFileError { return true }
            return false
        }
        var badFlags = bytes
        badFlags[12] = 4
        #expect(throws: LOFModelFileError.invalidField(name: "flags", value: "4")) {
            try LOFModel(decoding: resealed(badFlags))
        }
    }

    @Test func errorMessagesAreOneLine() throws {
        let errors: [LOFModelFileError] = [
            .wrongMagic, .unsupportedVersion(found: 9, supported: 1), .truncated(expected: 100, actual: 7),
            .checksumMismatch(stored: 0xDEAD_BEEF, computed: 1), .dimensionMismatch(model: 3, expected: 4),
        ]
        for error in errors { #expect(!error.description.contains("\n")) }
        #expect(
            LOFModelFileError.checksumMismatch(stored: 0xDEAD_BEEF, computed: 1).description
                == "LOF model file corrupt: CRC-32 is 0x00000001, stored 0xdeadbeef")
    }
}

import ArgumentParser
import FluxionTwin

/// `PIPE@POSITION_M:SIZE@START_S`, SIZE `N%` (of the pipe's nominal flow) or `Nm2`
/// (effective area Cd·A in m²; a bare number is also m²).
struct LeakArgument: ExpressibleByArgument, Sendable {
    var request: LeakRequest

    init?(argument: String) {
        guard let r = try? Self.parse(argument) else { return nil }
        request = r
    }

    static func parse(_ text: String) throws -> LeakRequest {
        let at = text.split(separator: "@", omittingEmptySubsequences: false)
        guard at.count == 3 else { throw ValidationError("--leak '\(text)': expected PIPE@POSITION_M:SIZE@START_S") }
        let pipe = String(at[0])
        let middle = at[1].split(separator: ":", omittingEmptySubsequences: false)
        guard !pipe.isEmpty, middle.count == 2 else {
            throw ValidationError("--leak '\(text)': expected PIPE@POSITION_M:SIZE@START_S")
        }
        guard let position = Double(middle[0]), position >= 0 else {
            throw ValidationError("--leak '\(text)': position '\(middle[0])' is not a non-negative number of metres")
        }
        let sizeText = String(middle[1])
        let size: LeakRequest.Size
        if sizeText.hasSuffix("%"), let p = Double(sizeText.dropLast()), p > 0 {
            size = .fractionOfNominalFlow(p / 100)
        } else if let a = Double(sizeText.hasSuffix("m2") ? String(sizeText.dropLast(2)) : sizeText), a > 0 {
            size = .effectiveAreaM2(a)
        } else {
            throw ValidationError("--leak '\(text)': size '\(sizeText)' must be N% (of nominal flow) or Nm2 (Cd·A)")
        }
        guard let start = Double(at[2]), start >= 0 else {
            throw ValidationError("--leak '\(text)': start '\(at[2])' is not a non-negative number of seconds")
        }
        return LeakRequest(location: .pipe(id: pipe, positionM: position), size: size, startS: start, source: "cli")
    }
}

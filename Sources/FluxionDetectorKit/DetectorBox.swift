import Foundation

/// Makes detectors of one type and remembers why the last `create` failed.
final class DetectorFactory {
    let make: (NetworkDescription, [UInt8]) throws -> any Detector
    let lastError = ErrorText()
    init(make: @escaping (NetworkDescription, [UInt8]) throws -> any Detector) { self.make = make }
}

/// A NUL-terminated error text owned by the plugin.
final class ErrorText {
    private(set) var pointer: UnsafeMutablePointer<CChar>?
    func set(_ text: String?) {
        free(pointer)
        pointer = text.map { strdup($0) }
    }
    deinit { free(pointer) }
}

/// One detector instance behind the opaque state pointer.
final class DetectorBox {
    var detector: any Detector
    let pipeIndex: [String: Int]
    let lastError = ErrorText()
    var samples: [SensorSample] = []

    init(detector: any Detector, network: NetworkDescription) {
        self.detector = detector
        var index: [String: Int] = [:]
        for (i, p) in network.pipes.enumerated() { index[p.id] = i }
        pipeIndex = index
    }

    static func from(_ state: OpaquePointer?) -> DetectorBox? {
        guard let state else { return nil }
        return Unmanaged<DetectorBox>.fromOpaque(UnsafeRawPointer(state)).takeUnretainedValue()
    }
}

import CLibUV

/// A libuv error code with libuv's own text (`address already in use`).
public struct UVError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let operation: String

    public init(_ code: Int32, _ operation: String) {
        self.code = code
        self.operation = operation
    }

    public var name: String { String(cString: uv_err_name(code)) }
    public var description: String {
        "\(operation): \(String(cString: uv_strerror(code))) (\(name))"
    }

    /// Throws when `result` is a libuv error (negative).
    @discardableResult
    static func check(_ result: Int32, _ operation: @autoclosure () -> String) throws(UVError) -> Int32 {
        if result < 0 { throw UVError(result, operation()) }
        return result
    }
}

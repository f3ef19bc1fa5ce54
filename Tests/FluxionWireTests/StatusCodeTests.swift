import Testing

@testable import FluxionWire

@Test func statusNamesMatchGRPC() {
    #expect(Wire.StatusCode.invalidArgument.description == "INVALID_ARGUMENT")
    #expect(Wire.StatusCode.allCases.count == 17)
}

import Testing

@testable import FluxionWire

@Test func statusNamesMatchGRPC() {
    #expect(StatusCode.invalidArgument.description == "INVALID_ARGUMENT")
    #expect(StatusCode.allCases.count == 17)
}

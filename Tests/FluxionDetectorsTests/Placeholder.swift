import Testing
@testable import FluxionDetectors

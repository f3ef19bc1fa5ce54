import Testing
@testable import FluxionLOF

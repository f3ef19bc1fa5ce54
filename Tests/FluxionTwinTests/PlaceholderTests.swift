import Testing
@testable import FluxionTwin

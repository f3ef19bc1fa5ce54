import Testing
@testable import FluxionAlerts

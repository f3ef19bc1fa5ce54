/// One sample of one sensor.
public struct Reading: Sendable, Equatable {
    public var sensorId: String
    public var quantity: Quantity
    /// Value in `unit`; NaN when `valid` is false.
    public var value: Double
    public var unit: String
    /// Simulated time of the sample, s.
    public var simTimeS: Double
    /// False while the sensor has dropped out.
    public var valid: Bool
    /// Index of the sensor in the scenario's sensor list (lets consumers avoid a lookup by id).
    public var sensorIndex: Int = -1

    public init(
        sensorId: String, quantity: Quantity, value: Double, unit: String, simTimeS: Double, valid: Bool,
        sensorIndex: Int = -1
    ) {
        self.sensorId = sensorId
        self.quantity = quantity
        self.value = value
        self.unit = unit
        self.simTimeS = simTimeS
        self.valid = valid
        self.sensorIndex = sensorIndex
    }
}

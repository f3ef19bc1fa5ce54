/// A request to open a leak.
public struct LeakRequest: Sendable, Equatable {
    public enum Location: Sendable, Equatable {
        /// `positionM` from the start of a pipe, m.
        case pipe(id: String, positionM: Double)
        /// `chainageM` along a line, m.
        case line(id: String, chainageM: Double)
    }

    public enum Size: Sendable, Equatable {
        /// Effective orifice area Cd·A, m².
        case effectiveAreaM2(Double)
        /// Outflow as a fraction of the pipe's nominal flow at the leak's pressure
        /// when it is injected (0.01 = 1 %).
        case fractionOfNominalFlow(Double)

        /// The request field that carries this size (for error messages).
        public var fieldName: String {
            switch self {
            case .effectiveAreaM2: "effective_area_m2"
            case .fractionOfNominalFlow: "size_fraction"
            }
        }
    }

    public var location: Location
    public var size: Size
    /// Start time, s of simulated time; nil: now.
    public var startS: Double?
    /// Linear opening time, s (0: at once).
    public var rampS: Double
    /// Discharge coefficient Cd used to report the hole area A = (Cd·A)/Cd.
    public var dischargeCoefficient: Double
    /// Who asked: "api", "scenario", "autopilot", "cli".
    public var source: String
    /// Close the leak at this time, s; nil: stays open until cleared.
    public var clearS: Double?

    public init(
        location: Location, size: Size, startS: Double? = nil, rampS: Double = 0,
        dischargeCoefficient: Double = 0.62, source: String = "api", clearS: Double? = nil
    ) {
        self.location = location
        self.size = size
        self.startS = startS
        self.rampS = rampS
        self.dischargeCoefficient = dischargeCoefficient
        self.source = source
        self.clearS = clearS
    }
}

/// Lifecycle of a leak.
public enum LeakState: String, Sendable {
    case scheduled, active, cleared
}

/// A leak as resolved on the grid, with its current outflow.
public struct LeakInfo: Sendable, Equatable {
    public var id: String
    public var pipeId: String
    /// Position used (snapped to the grid), m from the pipe start.
    public var positionM: Double
    public var lineId: String?
    public var chainageM: Double?
    /// Cd·A, m².
    public var effectiveAreaM2: Double
    public var dischargeCoefficient: Double
    /// Outflow at injection over the pipe's nominal flow.
    public var sizeFraction: Double
    public var startS: Double
    public var rampS: Double
    public var state: LeakState
    public var clearedS: Double?
    /// Current outflow: liquid m³/s, gas Sm³/h.
    public var currentFlow: Double
    public var source: String
}

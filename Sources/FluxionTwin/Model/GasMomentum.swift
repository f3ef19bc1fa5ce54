/// Which momentum equation a gas network's dynamics solve (docs/PHYSICS.md, "Gas momentum
/// equation"). Both share the continuity equation ∂p/∂t + (c²/A)·∂ṁ/∂x = 0.
public enum GasMomentum: String, Sendable, Equatable, CaseIterable {
    /// ∂ṁ/∂t + A·∂p/∂x + f·c²·ṁ|ṁ|/(2·D·A·p) = 0: the convective (ρv²) term left out, fronts
    /// travel at c. Exact at Courant 1 (no interpolation); the default.
    case noConvection = "no_convection"
    /// ∂ṁ/∂t + ∂(A·p + ṁ²/(ρ·A))/∂x + f·c²·ṁ|ṁ|/(2·D·A·p) = 0: the full isothermal Euler
    /// momentum equation, fronts travelling at v ± c.
    case isothermalEuler = "isothermal_euler"
}

namespace Hnn.Integrators;

/// <summary>
/// The classic 4-stage Runge–Kutta method: order 4, not symplectic, no error estimate.
/// Reference: Hairer, Nørsett, Wanner, Solving ODEs I, §II.1, Table 1.2 (left).
/// </summary>
public static class Rk4
{
    /// <summary>The tableau: c = (0, ½, ½, 1), b = (⅙, ⅓, ⅓, ⅙).</summary>
    public static ButcherTableau Tableau { get; } =
        new(
            "RK4",
            order: 4,
            a:
            [
                [],
                [0.5],
                [0, 0.5],
                [0, 0, 1],
            ],
            b: [1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6],
            c: [0, 0.5, 0.5, 1],
            reference: "Kutta (1901); Hairer, Nørsett & Wanner, Solving ODEs I, Table II.1.2"
        );
}

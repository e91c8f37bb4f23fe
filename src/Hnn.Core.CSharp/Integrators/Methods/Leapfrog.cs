namespace Hnn.Integrators;

/// <summary>
/// Leapfrog / Störmer–Verlet, kick–drift–kick (velocity Verlet): order 2, symplectic, time-reversible,
/// one force evaluation per step when steps are chained. Reference: Verlet, Phys. Rev. 159 (1967) 98;
/// Hairer, Lubich &amp; Wanner, Geometric Numerical Integration, §I.3.
/// </summary>
public static class Leapfrog
{
    /// <summary>The table: kicks (½, ½), drift (1).</summary>
    public static DriftKickTableau Tableau { get; } =
        new(
            "leapfrog",
            order: 2,
            kick: [0.5, 0.5],
            drift: [1.0],
            reference: "Verlet (1967); Hairer, Lubich & Wanner, Geometric Numerical Integration, §I.3"
        );
}

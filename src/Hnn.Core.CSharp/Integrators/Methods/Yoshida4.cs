namespace Hnn.Integrators;

/// <summary>
/// Yoshida's 4th-order method: three leapfrog steps of sizes w₁h, w₀h, w₁h with w₁ = 1/(2 − ∛2),
/// w₀ = −∛2/(2 − ∛2) (the middle step goes backwards). Order 4, symplectic, time-reversible.
/// Reference: Yoshida, Phys. Lett. A 150 (1990) 262–268.
/// </summary>
public static class Yoshida4
{
    private static readonly double W1 = 1 / (2 - Math.Cbrt(2));
    private static readonly double W0 = -Math.Cbrt(2) / (2 - Math.Cbrt(2));

    /// <summary>The table: kicks (w₁/2, (w₀+w₁)/2, (w₀+w₁)/2, w₁/2), drifts (w₁, w₀, w₁).</summary>
    public static DriftKickTableau Tableau { get; } =
        new(
            "Yoshida 4",
            order: 4,
            kick: [W1 / 2, (W0 + W1) / 2, (W0 + W1) / 2, W1 / 2],
            drift: [W1, W0, W1],
            reference: "Yoshida (1990), Phys. Lett. A 150, 262–268"
        );
}

namespace Hnn.Systems;

/// <summary>
/// The paper's mass-spring with linear friction on the momentum: energy H(q, p) = q² + p² as in
/// <see cref="MassSpring"/>, dynamics dq/dt = 2p, dp/dt = −2q − γ·p. The friction is the gradient of the
/// dissipation D = −γp²/2, so the field is M·∇H + ∇D; phase-space volume contracts at the rate γ
/// (−∇·(dx/dt) = γ everywhere) and the energy decays on average as e^(−γt) (dH/dt = −2γp²).
/// Not Hamiltonian: <see cref="Energy"/> is the energy that friction takes away.
/// </summary>
public sealed class DampedMassSpring : IHamiltonianSystem
{
    /// <summary>A damped spring with friction coefficient <paramref name="damping"/> (γ ≥ 0, finite).</summary>
    public DampedMassSpring(double damping)
    {
        if (!(damping >= 0 && double.IsFinite(damping)))
            throw new ArgumentOutOfRangeException(nameof(damping), damping, "must be zero or positive and finite");
        Damping = damping;
    }

    /// <summary>The friction coefficient γ: dp/dt gets −γ·p.</summary>
    public double Damping { get; }

    /// <inheritdoc />
    public string Name => "damped-spring";

    /// <inheritdoc />
    public int Dimension => 2;

    /// <inheritdoc />
    public double Energy(ReadOnlySpan<double> x) => x[0] * x[0] + x[1] * x[1];

    /// <inheritdoc />
    public void TimeDerivative(ReadOnlySpan<double> x, Span<double> dxdt) => BatchTimeDerivative(0, x, dxdt, 1);

    /// <summary>dx/dt for <paramref name="count"/> states [count, 2] at once (a batch field for the integrators).</summary>
    public void BatchTimeDerivative(double t, ReadOnlySpan<double> x, Span<double> dxdt, int count)
    {
        if (x.Length < 2 * count || dxdt.Length < 2 * count)
            throw new ArgumentException($"need {2 * count} values for {count} states");
        for (int k = 0; k < 2 * count; k += 2)
        {
            double q = x[k],
                p = x[k + 1];
            dxdt[k] = 2 * p;
            dxdt[k + 1] = -2 * q - Damping * p;
        }
    }
}

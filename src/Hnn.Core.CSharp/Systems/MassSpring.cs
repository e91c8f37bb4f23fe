namespace Hnn.Systems;

/// <summary>
/// The paper's ideal mass-spring: H(q, p) = q² + p² (no ½ factors), so dq/dt = 2p, dp/dt = −2q.
/// Its flow is a rotation of phase space at angular frequency 2, known in closed form.
/// </summary>
public sealed class MassSpring : IHamiltonianSystem
{
    /// <inheritdoc />
    public string Name => "spring";

    /// <inheritdoc />
    public int Dimension => 2;

    /// <inheritdoc />
    public double Energy(ReadOnlySpan<double> x) => x[0] * x[0] + x[1] * x[1];

    /// <inheritdoc />
    public void TimeDerivative(ReadOnlySpan<double> x, Span<double> dxdt)
    {
        dxdt[0] = 2 * x[1];
        dxdt[1] = -2 * x[0];
    }

    /// <summary>The exact state at time t from (q0, p0): q = q0 cos 2t + p0 sin 2t, p = p0 cos 2t − q0 sin 2t.</summary>
    public static (double Q, double P) Flow(double q0, double p0, double t)
    {
        var (s, c) = Math.SinCos(2 * t);
        return (q0 * c + p0 * s, p0 * c - q0 * s);
    }
}

namespace Hnn.Systems;

/// <summary>
/// A physical system with a known Hamiltonian, evaluated in float64 (data generation and energy
/// evaluation need the accuracy). The state is x = (q, p), q first.
/// </summary>
public interface IHamiltonianSystem
{
    /// <summary>A short identifier, e.g. "spring".</summary>
    string Name { get; }

    /// <summary>State dimension, 2·degrees of freedom.</summary>
    int Dimension { get; }

    /// <summary>The true energy H(x).</summary>
    double Energy(ReadOnlySpan<double> x);

    /// <summary>The true dynamics: writes dx/dt at x into <paramref name="dxdt"/>.</summary>
    void TimeDerivative(ReadOnlySpan<double> x, Span<double> dxdt);
}

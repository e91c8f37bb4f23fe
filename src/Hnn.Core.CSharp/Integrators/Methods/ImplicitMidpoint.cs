namespace Hnn.Integrators;

/// <summary>
/// The implicit midpoint rule x₁ = x₀ + h f((x₀ + x₁)/2): order 2, symplectic for any Hamiltonian
/// (separable or not), time-reversible. The stage k = f(x₀ + h/2·k) is solved by fixed-point iteration,
/// which converges when h times the field's Lipschitz constant is below 2.
/// Reference: Hairer, Lubich &amp; Wanner, Geometric Numerical Integration, §VI.3.
/// </summary>
/// <param name="Tolerance">Iteration stops when every component of the update h/2·Δk is below Tolerance·(1 + |x|).</param>
/// <param name="MaxIterations">Iterations allowed per step before the step fails.</param>
public sealed record ImplicitMidpoint(double Tolerance = 1e-12, int MaxIterations = 100) : IFixedStepMethod
{
    /// <summary>The rule with its default tolerance (1e-12) and iteration cap (100).</summary>
    public static ImplicitMidpoint Default { get; } = new();

    /// <inheritdoc />
    public string Name => "implicit midpoint";

    /// <inheritdoc />
    public int Order => 2;

    /// <inheritdoc />
    public bool IsSymplectic => true;

    /// <summary>Checks the settings; the message names the bad one.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public ImplicitMidpoint Validate()
    {
        if (!(Tolerance > 0) || double.IsInfinity(Tolerance))
            throw new ArgumentException($"tolerance must be positive and finite, got {Tolerance}", nameof(Tolerance));
        if (MaxIterations < 1)
            throw new ArgumentException($"max iterations must be positive, got {MaxIterations}", nameof(MaxIterations));
        return this;
    }

    /// <inheritdoc />
    public IStepper CreateStepper(BatchVectorField field, int count, int dim) => new ImplicitMidpointStepper(Validate(), field, count, dim);
}

namespace Hnn.Integrators;

/// <summary>
/// A splitting method for separable H = T(p) + V(q), as a table of kick and drift coefficients. One step of
/// size h is kick(k₀h) drift(d₀h) kick(k₁h) … drift(d_{s−1}h) kick(k_s h), where kick(τ): p ← p + τ·dp/dt(q) and
/// drift(τ): q ← q + τ·dq/dt(p). Each sub-step is an exact flow of a Hamiltonian, so the method is symplectic.
/// A value that checks its own consistency at construction: Σ kick = 1, Σ drift = 1.
/// </summary>
public sealed class DriftKickTableau : IFixedStepMethod
{
    /// <summary>Tolerance of the consistency checks.</summary>
    public const double ConsistencyTolerance = 1e-12;

    private readonly double[] kick;
    private readonly double[] drift;

    /// <summary>Builds and checks a table.</summary>
    /// <param name="name">The method's name, e.g. "leapfrog".</param>
    /// <param name="order">Its order.</param>
    /// <param name="kick">Kick coefficients k₀..k_s (one more than drifts; zeros allowed).</param>
    /// <param name="drift">Drift coefficients d₀..d_{s−1}.</param>
    /// <param name="reference">Where the coefficients come from.</param>
    /// <exception cref="ArgumentException">The table is inconsistent; the message names the failed condition.</exception>
    public DriftKickTableau(string name, int order, double[] kick, double[] drift, string reference = "")
    {
        ArgumentNullException.ThrowIfNull(kick);
        ArgumentNullException.ThrowIfNull(drift);
        string what = $"drift–kick table '{name}'";
        if (order < 1)
            throw new ArgumentException($"{what}: order must be at least 1, got {order}", nameof(order));
        if (drift.Length == 0)
            throw new ArgumentException($"{what}: no drift coefficients", nameof(drift));
        if (kick.Length != drift.Length + 1)
            throw new ArgumentException(
                $"{what}: {kick.Length} kicks for {drift.Length} drifts; a step is kick, drift, …, drift, kick, so there must be one more kick",
                nameof(kick)
            );
        double kickSum = kick.Sum(),
            driftSum = drift.Sum();
        if (Math.Abs(kickSum - 1) > ConsistencyTolerance)
            throw new ArgumentException($"{what}: kicks sum to {kickSum:R}, not 1", nameof(kick));
        if (Math.Abs(driftSum - 1) > ConsistencyTolerance)
            throw new ArgumentException($"{what}: drifts sum to {driftSum:R}, not 1", nameof(drift));
        Name = name;
        Order = order;
        Reference = reference;
        this.kick = (double[])kick.Clone();
        this.drift = (double[])drift.Clone();
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int Order { get; }

    /// <summary>Where the coefficients come from.</summary>
    public string Reference { get; }

    /// <summary>Splitting methods are symplectic.</summary>
    public bool IsSymplectic => true;

    /// <summary>Kick coefficients k₀..k_s.</summary>
    public IReadOnlyList<double> Kick => kick;

    /// <summary>Drift coefficients d₀..d_{s−1}.</summary>
    public IReadOnlyList<double> Drift => drift;

    /// <summary>A stepper for a full field of a separable system (each half evaluates the whole field, see <see cref="SeparableField.FromFull"/>).</summary>
    public IStepper CreateStepper(BatchVectorField field, int count, int dim) =>
        new DriftKickStepper(this, SeparableField.FromFull(field), count, dim);

    /// <summary>A stepper for a field given as its two halves.</summary>
    public IStepper CreateStepper(SeparableField field, int count, int dim) => new DriftKickStepper(this, field, count, dim);

    /// <inheritdoc />
    public override string ToString() => Name;
}

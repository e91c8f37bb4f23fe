namespace Hnn.Systems;

/// <summary>
/// n unit masses in a line, each held to its rest point by a spring k and joined to its neighbours by springs kc
/// (free ends): state (q1..qn, p1..pn), H = Σ pᵢ²/2 + k/2 Σ qᵢ² + kc/2 Σ (qᵢ₊₁ − qᵢ)². Separable and linear: its
/// normal modes have frequencies ωⱼ² = k + 4 kc sin²(jπ/(2n)), j = 0..n−1. <see cref="Five"/> is the benchmark's
/// chain (n = 5, k = kc = 1). Closed-form float64 field.
/// </summary>
public sealed class OscillatorChain : IHamiltonianSystem
{
    /// <summary>Five oscillators, k = kc = 1: the benchmark's chain.</summary>
    public static readonly OscillatorChain Five = new(5, 1.0, 1.0);

    /// <summary>A chain of <paramref name="count"/> ≥ 1 oscillators with on-site spring <paramref name="k"/> and coupling <paramref name="coupling"/> (both ≥ 0, finite).</summary>
    public OscillatorChain(int count, double k, double coupling)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (!(k >= 0 && double.IsFinite(k)))
            throw new ArgumentOutOfRangeException(nameof(k), k, "must be zero or positive and finite");
        if (!(coupling >= 0 && double.IsFinite(coupling)))
            throw new ArgumentOutOfRangeException(nameof(coupling), coupling, "must be zero or positive and finite");
        Count = count;
        K = k;
        Coupling = coupling;
    }

    /// <summary>Number of oscillators n.</summary>
    public int Count { get; }

    /// <summary>The on-site spring constant k.</summary>
    public double K { get; }

    /// <summary>The neighbour coupling kc.</summary>
    public double Coupling { get; }

    /// <inheritdoc />
    public string Name => "chain";

    /// <inheritdoc />
    public int Dimension => 2 * Count;

    /// <summary>The normal-mode angular frequencies ωⱼ = √(k + 4 kc sin²(jπ/(2n))), j = 0..n−1.</summary>
    public double[] ModeFrequencies() =>
        Enumerable.Range(0, Count).Select(j => Math.Sqrt(K + 4 * Coupling * Math.Pow(Math.Sin(j * Math.PI / (2.0 * Count)), 2))).ToArray();

    /// <inheritdoc />
    public double Energy(ReadOnlySpan<double> x)
    {
        Check(x.Length, 1);
        int n = Count;
        double e = 0;
        for (int i = 0; i < n; i++)
            e += (x[n + i] * x[n + i] + K * x[i] * x[i]) / 2;
        for (int i = 0; i + 1 < n; i++)
            e += Coupling * (x[i + 1] - x[i]) * (x[i + 1] - x[i]) / 2;
        return e;
    }

    /// <inheritdoc />
    public void TimeDerivative(ReadOnlySpan<double> x, Span<double> dxdt) => BatchTimeDerivative(0, x, dxdt, 1);

    /// <summary>dx/dt for <paramref name="count"/> states [count, 2n] (a batch field for the integrators; t is unused).</summary>
    public void BatchTimeDerivative(double t, ReadOnlySpan<double> x, Span<double> dxdt, int count)
    {
        Check(x.Length, count);
        Check(dxdt.Length, count);
        int n = Count,
            d = Dimension;
        for (int b = 0; b < count * d; b += d)
        {
            for (int i = 0; i < n; i++)
            {
                dxdt[b + i] = x[b + n + i];
                double force = -K * x[b + i];
                if (i + 1 < n)
                    force += Coupling * (x[b + i + 1] - x[b + i]);
                if (i > 0)
                    force -= Coupling * (x[b + i] - x[b + i - 1]);
                dxdt[b + n + i] = force;
            }
        }
    }

    private void Check(int length, int count)
    {
        if (length < Dimension * count)
            throw new ArgumentException(
                $"chain: need {Dimension * count} values for {count} state(s) of dimension {Dimension}, got {length}"
            );
    }
}

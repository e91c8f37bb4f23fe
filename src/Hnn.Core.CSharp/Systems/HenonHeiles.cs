namespace Hnn.Systems;

/// <summary>
/// The Hénon–Heiles system (Hénon &amp; Heiles 1964), a star in a galactic potential: state (x, y, px, py),
/// H = (px² + py²)/2 + (x² + y²)/2 + λ(x² y − y³/3). Separable. For λ = 1 the orbits are bounded below the escape
/// energy 1/6 (the saddles of the triangular well) and mostly regular below about 1/12; chaotic orbits fill a growing
/// share of the energy surface from about 1/8 up to 1/6. Closed-form float64 field.
/// </summary>
public sealed class HenonHeiles : IHamiltonianSystem
{
    /// <summary>The classic system, λ = 1 (escape energy 1/6).</summary>
    public static readonly HenonHeiles Classic = new(1.0);

    /// <summary>A Hénon–Heiles system with coupling <paramref name="lambda"/> (positive, finite).</summary>
    public HenonHeiles(double lambda)
    {
        if (!(lambda > 0 && double.IsFinite(lambda)))
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "must be positive and finite");
        Lambda = lambda;
    }

    /// <summary>The cubic coupling λ.</summary>
    public double Lambda { get; }

    /// <summary>The escape energy 1/(6λ²): above it orbits can leave the well through its saddles.</summary>
    public double EscapeEnergy => 1.0 / (6.0 * Lambda * Lambda);

    /// <inheritdoc />
    public string Name => "henon-heiles";

    /// <inheritdoc />
    public int Dimension => 4;

    /// <summary>The potential V(x, y) = (x² + y²)/2 + λ(x² y − y³/3).</summary>
    public double Potential(double x, double y) => (x * x + y * y) / 2 + Lambda * (x * x * y - y * y * y / 3);

    /// <inheritdoc />
    public double Energy(ReadOnlySpan<double> s)
    {
        Check(s.Length, 1);
        return (s[2] * s[2] + s[3] * s[3]) / 2 + Potential(s[0], s[1]);
    }

    /// <inheritdoc />
    public void TimeDerivative(ReadOnlySpan<double> x, Span<double> dxdt) => BatchTimeDerivative(0, x, dxdt, 1);

    /// <summary>dx/dt for <paramref name="count"/> states [count, 4] (a batch field for the integrators; t is unused).</summary>
    public void BatchTimeDerivative(double t, ReadOnlySpan<double> s, Span<double> dsdt, int count)
    {
        Check(s.Length, count);
        Check(dsdt.Length, count);
        for (int k = 0; k < 4 * count; k += 4)
        {
            double x = s[k],
                y = s[k + 1];
            dsdt[k] = s[k + 2];
            dsdt[k + 1] = s[k + 3];
            dsdt[k + 2] = -x - 2 * Lambda * x * y;
            dsdt[k + 3] = -y - Lambda * (x * x - y * y);
        }
    }

    private static void Check(int length, int count)
    {
        if (length < 4 * count)
            throw new ArgumentException($"henon-heiles: need {4 * count} values for {count} state(s) of dimension 4, got {length}");
    }
}

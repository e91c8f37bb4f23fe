namespace Hnn.Systems;

/// <summary>
/// The elastic (spring) pendulum: a mass m on a spring of stiffness k and rest length l0 swinging under gravity g,
/// in polar coordinates (r, θ) from the pivot (θ from the downward vertical) with canonical momenta
/// p_r = m ṙ, p_θ = m r² θ̇ (state (r, θ, p_r, p_θ)):
/// H = p_r²/(2m) + p_θ²/(2 m r²) + k (r − l0)²/2 − m g r cos θ. Not separable (p_θ²/r²).
/// <see cref="Resonant"/> is the benchmark's: m = l0 = 1, g = 9.81, k = 3 m g / l0, which makes the spring's
/// frequency √(k/m) twice the swing's √(g/r*) at the rest length r* = l0 + m g / k = 4/3 — the 2:1
/// autoparametric resonance, where energy passes back and forth between stretching and swinging.
/// Closed-form float64 field.
/// </summary>
public sealed class ElasticPendulum : IHamiltonianSystem
{
    /// <summary>m = l0 = 1, g = 9.81, k = 3g: the spring at twice the swing's frequency (the benchmark's).</summary>
    public static readonly ElasticPendulum Resonant = new(1.0, 3 * 9.81, 1.0, 9.81);

    /// <summary>An elastic pendulum with these positive, finite mass, stiffness, rest length and gravity.</summary>
    public ElasticPendulum(double mass, double stiffness, double restLength, double g)
    {
        foreach (
            var (name, v) in new[]
            {
                (nameof(mass), mass),
                (nameof(stiffness), stiffness),
                (nameof(restLength), restLength),
                (nameof(g), g),
            }
        )
            if (!(v > 0 && double.IsFinite(v)))
                throw new ArgumentOutOfRangeException(name, v, "must be positive and finite");
        (Mass, Stiffness, RestLength, G) = (mass, stiffness, restLength, g);
    }

    /// <summary>The mass m.</summary>
    public double Mass { get; }

    /// <summary>The spring constant k.</summary>
    public double Stiffness { get; }

    /// <summary>The spring's rest length l0.</summary>
    public double RestLength { get; }

    /// <summary>Gravitational acceleration g.</summary>
    public double G { get; }

    /// <summary>The length at rest, hanging: l0 + m g / k.</summary>
    public double EquilibriumLength => RestLength + Mass * G / Stiffness;

    /// <inheritdoc />
    public string Name => "elastic-pendulum";

    /// <inheritdoc />
    public int Dimension => 4;

    /// <inheritdoc />
    public double Energy(ReadOnlySpan<double> x)
    {
        Check(x.Length, 1);
        double r = x[0],
            theta = x[1],
            pr = x[2],
            pt = x[3];
        double stretch = r - RestLength;
        return pr * pr / (2 * Mass) + pt * pt / (2 * Mass * r * r) + Stiffness * stretch * stretch / 2 - Mass * G * r * Math.Cos(theta);
    }

    /// <inheritdoc />
    public void TimeDerivative(ReadOnlySpan<double> x, Span<double> dxdt) => BatchTimeDerivative(0, x, dxdt, 1);

    /// <summary>dx/dt for <paramref name="count"/> states [count, 4] (a batch field for the integrators; t is unused).</summary>
    public void BatchTimeDerivative(double t, ReadOnlySpan<double> x, Span<double> dxdt, int count)
    {
        Check(x.Length, count);
        Check(dxdt.Length, count);
        for (int k = 0; k < 4 * count; k += 4)
        {
            double r = x[k],
                theta = x[k + 1],
                pr = x[k + 2],
                pt = x[k + 3];
            var (s, c) = Math.SinCos(theta);
            dxdt[k] = pr / Mass;
            dxdt[k + 1] = pt / (Mass * r * r);
            dxdt[k + 2] = pt * pt / (Mass * r * r * r) - Stiffness * (r - RestLength) + Mass * G * c;
            dxdt[k + 3] = -Mass * G * r * s;
        }
    }

    private static void Check(int length, int count)
    {
        if (length < 4 * count)
            throw new ArgumentException($"elastic-pendulum: need {4 * count} values for {count} state(s) of dimension 4, got {length}");
    }
}

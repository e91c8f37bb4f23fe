namespace Hnn.Systems;

/// <summary>
/// A planar double pendulum: point masses m1, m2 on massless rods l1, l2 under gravity g, angles θ1, θ2 from the
/// downward vertical and their canonical momenta p = M(θ)·θ̇ (state (θ1, θ2, p1, p2)). With Δ = θ1 − θ2,
/// H = (m2 l2² p1² + (m1 + m2) l1² p2² − 2 m2 l1 l2 p1 p2 cos Δ) / (2 m2 l1² l2² (m1 + m2 sin² Δ))
///     − (m1 + m2) g l1 cos θ1 − m2 g l2 cos θ2,
/// the potential zero at the pivot's height. Not separable (the kinetic energy depends on Δ), chaotic at higher
/// energies. <see cref="Unit"/> is the benchmark's: unit masses and lengths, g = 9.81 (as Cranmer et al. 2020 use
/// unit masses and lengths). Closed-form float64 field, allocation-free.
/// </summary>
public sealed class DoublePendulum : IHamiltonianSystem
{
    /// <summary>Unit masses and lengths, g = 9.81: the benchmark's double pendulum.</summary>
    public static readonly DoublePendulum Unit = new(1, 1, 1, 1, 9.81);

    /// <summary>A double pendulum with these positive, finite masses, rod lengths and gravity.</summary>
    public DoublePendulum(double m1, double m2, double l1, double l2, double g)
    {
        foreach (var (name, v) in new[] { (nameof(m1), m1), (nameof(m2), m2), (nameof(l1), l1), (nameof(l2), l2), (nameof(g), g) })
            if (!(v > 0 && double.IsFinite(v)))
                throw new ArgumentOutOfRangeException(name, v, "must be positive and finite");
        (M1, M2, L1, L2, G) = (m1, m2, l1, l2, g);
    }

    /// <summary>Mass of the inner bob.</summary>
    public double M1 { get; }

    /// <summary>Mass of the outer bob.</summary>
    public double M2 { get; }

    /// <summary>Length of the inner rod.</summary>
    public double L1 { get; }

    /// <summary>Length of the outer rod.</summary>
    public double L2 { get; }

    /// <summary>Gravitational acceleration.</summary>
    public double G { get; }

    /// <inheritdoc />
    public string Name => "double-pendulum";

    /// <inheritdoc />
    public int Dimension => 4;

    /// <inheritdoc />
    public double Energy(ReadOnlySpan<double> x)
    {
        Check(x.Length, 1);
        double q1 = x[0],
            q2 = x[1],
            p1 = x[2],
            p2 = x[3];
        var (s, c) = Math.SinCos(q1 - q2);
        double numerator = M2 * L2 * L2 * p1 * p1 + (M1 + M2) * L1 * L1 * p2 * p2 - 2 * M2 * L1 * L2 * p1 * p2 * c;
        double kinetic = numerator / (2 * M2 * L1 * L1 * L2 * L2 * (M1 + M2 * s * s));
        return kinetic - (M1 + M2) * G * L1 * Math.Cos(q1) - M2 * G * L2 * Math.Cos(q2);
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
            double q1 = x[k],
                q2 = x[k + 1],
                p1 = x[k + 2],
                p2 = x[k + 3];
            var (s, c) = Math.SinCos(q1 - q2);
            double a = M1 + M2 * s * s;
            double numerator = M2 * L2 * L2 * p1 * p1 + (M1 + M2) * L1 * L1 * p2 * p2 - 2 * M2 * L1 * L2 * p1 * p2 * c;
            // ∂H/∂Δ of the kinetic term, split as in the textbook form: C1 from the numerator, C2 from the denominator.
            double c1 = p1 * p2 * s / (L1 * L2 * a);
            double c2 = numerator * 2 * s * c / (2 * L1 * L1 * L2 * L2 * a * a);
            dxdt[k] = (L2 * p1 - L1 * p2 * c) / (L1 * L1 * L2 * a);
            dxdt[k + 1] = ((M1 + M2) * L1 * p2 - M2 * L2 * p1 * c) / (M2 * L1 * L2 * L2 * a);
            dxdt[k + 2] = -(M1 + M2) * G * L1 * Math.Sin(q1) - c1 + c2;
            dxdt[k + 3] = -M2 * G * L2 * Math.Sin(q2) + c1 - c2;
        }
    }

    private static void Check(int length, int count)
    {
        if (length < 4 * count)
            throw new ArgumentException($"double-pendulum: need {4 * count} values for {count} state(s) of dimension 4, got {length}");
    }
}

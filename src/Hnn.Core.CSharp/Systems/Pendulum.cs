namespace Hnn.Systems;

/// <summary>
/// A frictionless pendulum H(q, p) = a(1 − cos q) + b·p², so dq/dt = 2b·p, dp/dt = −a·sin q.
/// The paper uses two instances: <see cref="Ideal"/> (a = 3, b = 1, Task 2) and <see cref="RealAnalysis"/>
/// (a = 2.4, b = 1, the energy fitted to Schmidt &amp; Lipson's real pendulum, Task 3).
/// </summary>
public sealed class Pendulum : IHamiltonianSystem
{
    /// <summary>The paper's ideal pendulum, H = 3(1 − cos q) + p².</summary>
    public static readonly Pendulum Ideal = new(3.0, 1.0, "pendulum");

    /// <summary>The energy used to analyse the real pendulum, H = 2.4(1 − cos q) + p².</summary>
    public static readonly Pendulum RealAnalysis = new(2.4, 1.0, "real-pendulum");

    /// <summary>A pendulum with potential coefficient <paramref name="potential"/> (a) and kinetic coefficient <paramref name="kinetic"/> (b), both positive.</summary>
    public Pendulum(double potential, double kinetic, string name = "pendulum")
    {
        if (!(potential > 0 && double.IsFinite(potential)))
            throw new ArgumentOutOfRangeException(nameof(potential), potential, "must be positive and finite");
        if (!(kinetic > 0 && double.IsFinite(kinetic)))
            throw new ArgumentOutOfRangeException(nameof(kinetic), kinetic, "must be positive and finite");
        Potential = potential;
        Kinetic = kinetic;
        Name = name;
    }

    /// <summary>The coefficient a of the potential a(1 − cos q).</summary>
    public double Potential { get; }

    /// <summary>The coefficient b of the kinetic term b·p².</summary>
    public double Kinetic { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int Dimension => 2;

    /// <inheritdoc />
    public double Energy(ReadOnlySpan<double> x) => Potential * (1 - Math.Cos(x[0])) + Kinetic * x[1] * x[1];

    /// <inheritdoc />
    public void TimeDerivative(ReadOnlySpan<double> x, Span<double> dxdt)
    {
        double q = x[0],
            p = x[1];
        dxdt[0] = 2 * Kinetic * p;
        dxdt[1] = -Potential * Math.Sin(q);
    }

    /// <summary>
    /// dx/dt for <paramref name="count"/> states stored row-major [count, 2]; the signature of
    /// <c>Hnn.Integrators.BatchVectorField</c> (the system is autonomous, <paramref name="t"/> is unused).
    /// </summary>
    public void BatchTimeDerivative(double t, ReadOnlySpan<double> x, Span<double> dxdt, int count)
    {
        if (x.Length < 2 * count || dxdt.Length < 2 * count)
            throw new ArgumentException($"need {2 * count} values for {count} states");
        double twoB = 2 * Kinetic,
            a = Potential;
        for (int k = 0; k < 2 * count; k += 2)
        {
            double q = x[k],
                p = x[k + 1];
            dxdt[k] = twoB * p;
            dxdt[k + 1] = -a * Math.Sin(q);
        }
    }
}

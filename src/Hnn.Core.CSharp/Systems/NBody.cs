namespace Hnn.Systems;

/// <summary>
/// n point masses in the plane under Newtonian gravity, no softening (the paper's two- and three-body tasks).
/// State layout, as in the reference code: q = (x1..xn, y1..yn), p = (px1..pxn, py1..pyn), with p = m·velocity,
/// so the dimension is 4n. H = Σ |p_i|²/(2 m_i) − Σ_{i&lt;j} G m_i m_j / r_ij.
/// </summary>
public sealed class NBody : IHamiltonianSystem
{
    private readonly double[] masses;

    /// <summary>Two unit masses, G = 1 (Task 4).</summary>
    public static readonly NBody TwoBody = new([1.0, 1.0]);

    /// <summary>Three unit masses, G = 1 (Task 4b).</summary>
    public static readonly NBody ThreeBody = new([1.0, 1.0, 1.0]);

    /// <summary>Bodies with the given positive masses (at least two) and gravitational constant.</summary>
    public NBody(double[] masses, double gravitationalConstant = 1.0)
    {
        ArgumentNullException.ThrowIfNull(masses);
        if (masses.Length < 2)
            throw new ArgumentException($"need at least 2 bodies, got {masses.Length}", nameof(masses));
        foreach (var m in masses)
            if (!(m > 0 && double.IsFinite(m)))
                throw new ArgumentOutOfRangeException(nameof(masses), m, "every mass must be positive and finite");
        if (!(gravitationalConstant > 0 && double.IsFinite(gravitationalConstant)))
            throw new ArgumentOutOfRangeException(nameof(gravitationalConstant), gravitationalConstant, "must be positive and finite");
        this.masses = (double[])masses.Clone();
        GravitationalConstant = gravitationalConstant;
    }

    /// <summary>Number of bodies n.</summary>
    public int Bodies => masses.Length;

    /// <summary>The masses m_1..m_n.</summary>
    public ReadOnlySpan<double> Masses => masses;

    /// <summary>The gravitational constant G.</summary>
    public double GravitationalConstant { get; }

    /// <inheritdoc />
    public string Name =>
        Bodies switch
        {
            2 => "two-body",
            3 => "three-body",
            var n => $"{n}-body",
        };

    /// <inheritdoc />
    public int Dimension => 4 * Bodies;

    /// <inheritdoc />
    public double Energy(ReadOnlySpan<double> x)
    {
        CheckLength(x.Length, 1);
        int n = Bodies;
        var xs = x[..n];
        var ys = x[n..(2 * n)];
        var pxs = x[(2 * n)..(3 * n)];
        var pys = x[(3 * n)..(4 * n)];
        double kinetic = 0,
            potential = 0;
        for (int i = 0; i < n; i++)
        {
            kinetic += (pxs[i] * pxs[i] + pys[i] * pys[i]) / (2 * masses[i]);
            for (int j = i + 1; j < n; j++)
            {
                double dx = xs[j] - xs[i],
                    dy = ys[j] - ys[i];
                potential -= GravitationalConstant * masses[i] * masses[j] / Math.Sqrt(dx * dx + dy * dy);
            }
        }
        return kinetic + potential;
    }

    /// <summary>Total linear momentum (Σ px, Σ py); conserved by the flow.</summary>
    public (double Px, double Py) TotalMomentum(ReadOnlySpan<double> x)
    {
        CheckLength(x.Length, 1);
        int n = Bodies;
        double px = 0,
            py = 0;
        for (int i = 0; i < n; i++)
        {
            px += x[2 * n + i];
            py += x[3 * n + i];
        }
        return (px, py);
    }

    /// <inheritdoc />
    /// <remarks>dq/dt = p/m; dp_i/dt = Σ_j G m_i m_j (q_j − q_i)/r_ij³. Allocation-free.</remarks>
    public void TimeDerivative(ReadOnlySpan<double> x, Span<double> dxdt)
    {
        CheckLength(x.Length, 1);
        CheckLength(dxdt.Length, 1);
        Derivative(x, dxdt);
    }

    /// <summary>
    /// dx/dt for <paramref name="count"/> states stored row-major [count, 4n]; the signature of
    /// <c>Hnn.Integrators.BatchVectorField</c> (the system is autonomous, <paramref name="t"/> is unused).
    /// </summary>
    public void BatchTimeDerivative(double t, ReadOnlySpan<double> x, Span<double> dxdt, int count)
    {
        CheckLength(x.Length, count);
        CheckLength(dxdt.Length, count);
        int d = Dimension;
        for (int k = 0; k < count; k++)
            Derivative(x.Slice(k * d, d), dxdt.Slice(k * d, d));
    }

    private void Derivative(ReadOnlySpan<double> x, Span<double> dxdt)
    {
        int n = Bodies;
        double g = GravitationalConstant;
        for (int i = 0; i < n; i++)
        {
            dxdt[i] = x[2 * n + i] / masses[i];
            dxdt[n + i] = x[3 * n + i] / masses[i];
            dxdt[2 * n + i] = 0;
            dxdt[3 * n + i] = 0;
        }
        for (int i = 0; i < n; i++)
        {
            double xi = x[i],
                yi = x[n + i];
            for (int j = i + 1; j < n; j++)
            {
                double dx = x[j] - xi,
                    dy = x[n + j] - yi;
                double r2 = dx * dx + dy * dy;
                double s = g * masses[i] * masses[j] / (r2 * Math.Sqrt(r2));
                double fx = s * dx,
                    fy = s * dy;
                dxdt[2 * n + i] += fx;
                dxdt[3 * n + i] += fy;
                dxdt[2 * n + j] -= fx;
                dxdt[3 * n + j] -= fy;
            }
        }
    }

    private void CheckLength(int length, int count)
    {
        if (length < count * Dimension)
            throw new ArgumentException(
                $"{Name}: need {count * Dimension} values for {count} state(s) of dimension {Dimension}, got {length}"
            );
    }
}

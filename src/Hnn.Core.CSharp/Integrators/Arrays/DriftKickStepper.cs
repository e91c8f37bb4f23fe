namespace Hnn.Integrators;

/// <summary>The generic step of a <see cref="DriftKickTableau"/> on a float64 batch x = (q, p).</summary>
internal sealed class DriftKickStepper : IStepper
{
    private readonly DriftKickTableau tableau;
    private readonly SeparableField field;
    private readonly int count;
    private readonly int dim;
    private readonly double[] half;

    /// <summary>Allocates the work buffer for <paramref name="count"/> states of even dimension <paramref name="dim"/>.</summary>
    public DriftKickStepper(DriftKickTableau tableau, SeparableField field, int count, int dim)
    {
        StepperArguments.CheckBatch(tableau, field, count, dim, split: true);
        this.tableau = tableau;
        this.field = field;
        this.count = count;
        this.dim = dim;
        half = new double[count * dim / 2];
    }

    /// <inheritdoc />
    public void Step(double t, Span<double> x, double h)
    {
        StepperArguments.CheckState(x, count * dim);
        double kicked = 0,
            drifted = 0;
        for (int i = 0; i < tableau.Kick.Count; i++)
        {
            double k = tableau.Kick[i];
            if (k != 0)
            {
                field.Force(t + drifted * h, x, half, count);
                Add(x, 1, k * h);
                kicked += k;
            }
            if (i == tableau.Drift.Count)
                break;
            double d = tableau.Drift[i];
            if (d != 0)
            {
                field.Velocity(t + kicked * h, x, half, count);
                Add(x, 0, d * h);
                drifted += d;
            }
        }
    }

    /// <summary>Adds τ·half to the q half (which = 0) or p half (which = 1) of every row.</summary>
    private void Add(Span<double> x, int which, double tau)
    {
        int n = dim / 2;
        for (int r = 0; r < count; r++)
        {
            var target = x.Slice(r * dim + which * n, n);
            var source = half.AsSpan(r * n, n);
            for (int e = 0; e < n; e++)
                target[e] += tau * source[e];
        }
    }
}

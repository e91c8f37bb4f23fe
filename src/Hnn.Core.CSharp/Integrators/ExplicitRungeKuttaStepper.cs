namespace Hnn.Integrators;

/// <summary>The generic explicit Runge–Kutta step for any <see cref="ButcherTableau"/>, on a float64 batch.</summary>
public sealed class ExplicitRungeKuttaStepper : IStepper
{
    private readonly ButcherTableau tableau;
    private readonly BatchVectorField field;
    private readonly int count;
    private readonly double[][] k;
    private readonly double[] stage;

    /// <summary>Allocates the stage buffers for <paramref name="count"/> states of dimension <paramref name="dim"/>.</summary>
    public ExplicitRungeKuttaStepper(ButcherTableau tableau, BatchVectorField field, int count, int dim)
    {
        ArgumentNullException.ThrowIfNull(tableau);
        ArgumentNullException.ThrowIfNull(field);
        if (count < 1) throw new ArgumentException($"count must be positive, got {count}", nameof(count));
        if (dim < 1) throw new ArgumentException($"dim must be positive, got {dim}", nameof(dim));
        this.tableau = tableau;
        this.field = field;
        this.count = count;
        int n = count * dim;
        k = new double[tableau.Stages][];
        for (int i = 0; i < k.Length; i++) k[i] = new double[n];
        stage = new double[n];
    }

    /// <inheritdoc />
    public void Step(double t, Span<double> x, double h)
    {
        int n = stage.Length;
        if (x.Length != n) throw new ArgumentException($"state has {x.Length} values, the stepper was built for {n}", nameof(x));
        for (int i = 0; i < k.Length; i++)
        {
            var row = tableau.Row(i);
            x.CopyTo(stage);
            for (int j = 0; j < row.Length; j++)
            {
                double w = h * row[j];
                if (w == 0) continue;
                var kj = k[j];
                for (int e = 0; e < n; e++) stage[e] += w * kj[e];
            }
            field(t + tableau.C[i] * h, stage, k[i], count);
        }
        for (int i = 0; i < k.Length; i++)
        {
            double w = h * tableau.B[i];
            if (w == 0) continue;
            var ki = k[i];
            for (int e = 0; e < n; e++) x[e] += w * ki[e];
        }
    }
}

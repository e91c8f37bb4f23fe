namespace Hnn.Integrators;

/// <summary>The implicit midpoint step on a float64 batch, its stage solved by fixed-point iteration.</summary>
internal sealed class ImplicitMidpointStepper : IStepper
{
    private readonly ImplicitMidpoint settings;
    private readonly BatchVectorField field;
    private readonly int count;
    private readonly int dim;
    private readonly double[] k;
    private readonly double[] kNext;
    private readonly double[] stage;

    /// <summary>Allocates the work buffers for <paramref name="count"/> states of dimension <paramref name="dim"/>.</summary>
    public ImplicitMidpointStepper(ImplicitMidpoint settings, BatchVectorField field, int count, int dim)
    {
        StepperArguments.CheckBatch(settings, field, count, dim);
        this.settings = settings.Validate();
        this.field = field;
        this.count = count;
        this.dim = dim;
        k = new double[count * dim];
        kNext = new double[count * dim];
        stage = new double[count * dim];
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The fixed-point iteration did not converge (step too large for the field's stiffness).</exception>
    public void Step(double t, Span<double> x, double h)
    {
        int n = k.Length;
        StepperArguments.CheckState(x, n);
        double tMid = t + h / 2;
        field(t, x, k, count);
        for (int iteration = 1; ; iteration++)
        {
            for (int e = 0; e < n; e++)
                stage[e] = x[e] + h / 2 * k[e];
            field(tMid, stage, kNext, count);
            double worst = 0;
            int worstIndex = 0;
            for (int e = 0; e < n; e++)
            {
                double change = Math.Abs(h / 2 * (kNext[e] - k[e])) / (1 + Math.Abs(x[e]));
                if (double.IsNaN(change))
                    change = double.PositiveInfinity;
                if (change > worst)
                {
                    worst = change;
                    worstIndex = e;
                }
                k[e] = kNext[e];
            }
            if (worst <= settings.Tolerance)
                break;
            if (iteration >= settings.MaxIterations || !double.IsFinite(worst))
                throw new InvalidOperationException(
                    $"implicit midpoint: the stage iteration did not converge within {iteration} iterations at t = {t:R}, h = {h:R} "
                        + $"(trajectory {worstIndex / dim}, relative change {worst:R} > tolerance {settings.Tolerance:R}); use a smaller step"
                );
        }
        for (int e = 0; e < n; e++)
            x[e] += h * k[e];
    }
}

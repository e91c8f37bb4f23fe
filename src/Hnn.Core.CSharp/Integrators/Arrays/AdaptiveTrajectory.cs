using System.Runtime.CompilerServices;

namespace Hnn.Integrators;

/// <summary>
/// The float64 side of an adaptive solve (<see cref="AdaptiveLoop"/>): one trajectory at a time with its own step
/// sizes, the error norm its RMS over components. Owns its work buffers, so the step loop allocates nothing; one
/// instance per thread. The step loop's methods are compiled optimized at their first call
/// (<see cref="MethodImplOptions.AggressiveOptimization"/>): data generation runs them once, in a fresh process,
/// where tiered compilation would run most of the work unoptimized (measured about twice as slow on the three-body data).
/// </summary>
internal sealed class AdaptiveTrajectory : IAdaptiveWork
{
    private readonly ButcherTableau tableau;
    private readonly AdaptiveSettings settings;
    private readonly BatchVectorField field;
    private readonly int dim;
    private readonly double[][] k;
    private readonly double[] y;
    private readonly double[] stage;
    private readonly double[] yNew;
    private readonly double[] denseWeights;
    private double[] kNew;
    private int index;
    private double[] output = [];
    private int offset;

    public AdaptiveTrajectory(ButcherTableau tableau, AdaptiveSettings settings, BatchVectorField field, int dim)
    {
        this.tableau = tableau;
        this.settings = settings;
        this.field = field;
        this.dim = dim;
        k = ExplicitRungeKuttaStepper.NewStages(tableau, dim);
        y = new double[dim];
        stage = new double[dim];
        yNew = new double[dim];
        denseWeights = new double[tableau.Stages];
        kNew = tableau.IsFirstSameAsLast ? [] : new double[dim];
    }

    /// <summary>
    /// Integrates trajectory <paramref name="index"/> from <paramref name="y0"/> at <paramref name="t0"/>; writes its
    /// states at <paramref name="tEval"/> into <paramref name="target"/> from <paramref name="at"/> on ([tEval.Length, dim]).
    /// </summary>
    public void Integrate(int index, ReadOnlySpan<double> y0, double t0, ReadOnlySpan<double> tEval, double[] target, int at)
    {
        this.index = index;
        output = target;
        offset = at;
        y0.CopyTo(y);
        AdaptiveLoop.Run(this, settings, tableau.ErrorOrder!.Value, t0, tEval);
    }

    public string Who => $"trajectory {index}";

    public IDisposable? BeginAttempt() => null;

    public void WriteCurrent(int index) => y.CopyTo(output.AsSpan(offset + dim * index, dim));

    public void WriteNew(int index) => yNew.CopyTo(output.AsSpan(offset + dim * index, dim));

    /// <summary>y(t + θh) from the step's stages: y + Σᵢ (h·weightᵢ(θ))·kᵢ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteInterpolated(int index, double theta, double h)
    {
        tableau.DenseWeights(theta, denseWeights);
        for (int i = 0; i < denseWeights.Length; i++)
            denseWeights[i] *= h;
        var target = output.AsSpan(offset + dim * index, dim);
        for (int e = 0; e < dim; e++)
        {
            double v = y[e];
            for (int i = 0; i < denseWeights.Length; i++)
                v += denseWeights[i] * k[i][e];
            target[e] = v;
        }
    }

    /// <summary>scipy's starting step (see <see cref="PiController"/>), with the field evaluation it needs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Start(double t0, double tEnd, PiController control)
    {
        double rtol = settings.RelativeTolerance,
            atol = settings.AbsoluteTolerance;
        var f0 = k[0];
        field(t0, y, f0, 1);
        CheckFinite(f0, t0);
        double span = tEnd - t0;
        double d0 = 0,
            d1 = 0;
        for (int e = 0; e < dim; e++)
        {
            double scale = atol + Math.Abs(y[e]) * rtol;
            d0 += (y[e] / scale) * (y[e] / scale);
            d1 += (f0[e] / scale) * (f0[e] / scale);
        }
        d0 = Math.Sqrt(d0 / dim);
        d1 = Math.Sqrt(d1 / dim);
        double h0 = PiController.TrialStep(d0, d1, span);
        for (int e = 0; e < dim; e++)
            stage[e] = y[e] + h0 * f0[e];
        var f1 = k[1];
        field(t0 + h0, stage, f1, 1);
        double d2 = 0;
        for (int e = 0; e < dim; e++)
        {
            double scale = atol + Math.Abs(y[e]) * rtol;
            double r = (f1[e] - f0[e]) / scale;
            d2 += r * r;
        }
        d2 = Math.Sqrt(d2 / dim) / h0;
        return control.InitialStep(h0, d1, d2, span);
    }

    /// <summary>The stages after the first, the candidate y_new, and the RMS of h·Σⱼ b_err,ⱼ kⱼ / (atol + rtol·max(|y|, |y_new|)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Attempt(double t, double h)
    {
        ExplicitRungeKuttaStepper.Stages(tableau, field, t, y, h, k, stage, 1, first: 1);
        if (tableau.IsFirstSameAsLast)
            Array.Copy(stage, yNew, dim);
        else
            ExplicitRungeKuttaStepper.Combine(y, h, tableau.Weights, k, yNew);
        var errorWeights = tableau.ErrorWeights!;
        double rtol = settings.RelativeTolerance,
            atol = settings.AbsoluteTolerance;
        double sum = 0;
        for (int e = 0; e < dim; e++)
        {
            double err = 0;
            for (int j = 0; j < errorWeights.Length; j++)
                err += errorWeights[j] * k[j][e];
            double scale = atol + rtol * Math.Max(Math.Abs(y[e]), Math.Abs(yNew[e]));
            double r = h * err / scale;
            sum += r * r;
        }
        return Math.Sqrt(sum / dim);
    }

    public void Accept(double tNew)
    {
        if (!tableau.IsFirstSameAsLast)
            field(tNew, yNew, kNew, 1);
        CheckFinite(tableau.IsFirstSameAsLast ? k[^1] : kNew, tNew);
    }

    public void Advance()
    {
        Array.Copy(yNew, y, dim);
        if (tableau.IsFirstSameAsLast)
            (k[0], k[^1]) = (k[^1], k[0]);
        else
            (k[0], kNew) = (kNew, k[0]);
    }

    private void CheckFinite(double[] derivative, double t)
    {
        foreach (var v in derivative)
            if (!double.IsFinite(v))
                throw new InvalidOperationException($"trajectory {index}: the derivative became non-finite at t = {t:R}");
    }
}

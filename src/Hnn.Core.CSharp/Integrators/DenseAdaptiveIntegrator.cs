namespace Hnn.Integrators;

/// <summary>
/// Integrates one trajectory at a time with an embedded FSAL Runge–Kutta pair and its dense output
/// (Dormand–Prince 5(4)), writing the states at the requested times. Owns its work buffers, so the
/// step loop allocates nothing; one instance per thread.
/// </summary>
internal sealed class DenseAdaptiveIntegrator
{
    private readonly ButcherTableau tableau;
    private readonly double[,] dense;
    private readonly AdaptiveSettings settings;
    private readonly BatchVectorField field;
    private readonly int dim;
    private readonly double[][] k;
    private readonly double[] y;
    private readonly double[] stage;
    private readonly double[] yNew;
    private readonly double[] errorWeights;
    private readonly double[] denseWeights;
    private readonly double errorExponent;

    public DenseAdaptiveIntegrator(ButcherTableau tableau, double[,] dense, AdaptiveSettings settings, BatchVectorField field, int dim)
    {
        if (!tableau.IsFirstSameAsLast || !tableau.HasErrorEstimate || dense.GetLength(0) != tableau.Stages)
            throw new ArgumentException($"'{tableau.Name}': the dense adaptive integrator needs an FSAL embedded pair with a dense-output row per stage", nameof(tableau));
        this.tableau = tableau;
        this.dense = dense;
        this.settings = settings;
        this.field = field;
        this.dim = dim;
        int s = tableau.Stages;
        k = new double[s][];
        for (int i = 0; i < s; i++) k[i] = new double[dim];
        y = new double[dim];
        stage = new double[dim];
        yNew = new double[dim];
        errorWeights = tableau.BError!.ToArray();
        denseWeights = new double[s];
        errorExponent = 1.0 / (tableau.ErrorOrder!.Value + 1);
    }

    /// <summary>
    /// Integrates trajectory <paramref name="index"/> from <paramref name="y0"/> at <paramref name="t0"/>;
    /// writes its states at <paramref name="tEval"/> into <paramref name="output"/> ([tEval.Length, dim]).
    /// </summary>
    public void Integrate(int index, ReadOnlySpan<double> y0, double t0, ReadOnlySpan<double> tEval, Span<double> output)
    {
        int s = tableau.Stages;
        double rtol = settings.RelativeTolerance, atol = settings.AbsoluteTolerance;
        double tEnd = tEval[^1];
        y0.CopyTo(y);
        double t = t0;
        int next = 0;
        while (next < tEval.Length && tEval[next] == t0) y.CopyTo(output.Slice(dim * next++, dim));
        if (next == tEval.Length) return;

        var k0 = k[0];
        field(t, y, k0, 1);
        CheckFinite(k0, index, t, "the derivative");
        double h = InitialStep(t, tEnd, rtol, atol);
        double previousError = 1e-4;
        bool rejected = false;
        double beta = settings.PiBeta, alpha = errorExponent - 0.75 * beta;
        for (int attempt = 0; ; attempt++)
        {
            if (attempt >= settings.MaxSteps)
                throw new InvalidOperationException($"trajectory {index}: no convergence within {settings.MaxSteps} steps, stopped at t = {t:R} with step {h:R}");
            double minStep = 10 * Math.Abs(Math.BitIncrement(t) - t);
            if (h < minStep)
                throw new InvalidOperationException($"trajectory {index}: step size underflow at t = {t:R} (step {h:R} below {minStep:R}); the solution may blow up or the state may have become non-finite");
            bool last = t + h >= tEnd;
            if (last) h = tEnd - t;

            for (int i = 1; i < s; i++)
            {
                var row = tableau.Row(i);
                Array.Copy(y, stage, dim);
                for (int j = 0; j < row.Length; j++)
                {
                    double w = h * row[j];
                    if (w == 0) continue;
                    var kj = k[j];
                    for (int e = 0; e < dim; e++) stage[e] += w * kj[e];
                }
                if (i == s - 1) Array.Copy(stage, yNew, dim);
                field(t + tableau.C[i] * h, stage, k[i], 1);
            }

            double sum = 0;
            for (int e = 0; e < dim; e++)
            {
                double err = 0;
                for (int j = 0; j < s; j++) err += errorWeights[j] * k[j][e];
                double scale = atol + rtol * Math.Max(Math.Abs(y[e]), Math.Abs(yNew[e]));
                double r = h * err / scale;
                sum += r * r;
            }
            double errorNorm = Math.Sqrt(sum / dim);

            if (!(errorNorm <= 1))
            {
                double shrink = double.IsFinite(errorNorm)
                    ? Math.Max(settings.MinFactor, settings.Safety * Math.Pow(errorNorm, -errorExponent))
                    : settings.MinFactor;
                h *= shrink;
                rejected = true;
                continue;
            }

            double tNew = last ? tEnd : t + h;
            var kLast = k[s - 1];
            CheckFinite(kLast, index, tNew, "the derivative");
            while (next < tEval.Length && tEval[next] <= tNew)
            {
                var target = output.Slice(dim * next, dim);
                if (tEval[next] == tNew) yNew.CopyTo(target);
                else Interpolate((tEval[next] - t) / h, h, target);
                next++;
            }
            if (next == tEval.Length) return;

            double factor = errorNorm == 0
                ? settings.MaxFactor
                : settings.Safety * Math.Pow(errorNorm, -alpha) * Math.Pow(previousError, beta);
            factor = Math.Clamp(factor, settings.MinFactor, rejected ? 1 : settings.MaxFactor);
            previousError = Math.Max(errorNorm, 1e-4);
            rejected = false;

            Array.Copy(yNew, y, dim);
            k[s - 1] = k[0];
            k[0] = kLast;
            t = tNew;
            h *= factor;
        }
    }

    /// <summary>y(t + θh) from the step's stages: y + h Σᵢ kᵢ Σⱼ P[i, j] θʲ⁺¹.</summary>
    private void Interpolate(double theta, double h, Span<double> target)
    {
        int s = tableau.Stages;
        for (int i = 0; i < s; i++)
        {
            double w = 0, power = theta;
            for (int j = 0; j < dense.GetLength(1); j++)
            {
                w += dense[i, j] * power;
                power *= theta;
            }
            denseWeights[i] = h * w;
        }
        for (int e = 0; e < dim; e++)
        {
            double v = y[e];
            for (int i = 0; i < s; i++) v += denseWeights[i] * k[i][e];
            target[e] = v;
        }
    }

    /// <summary>scipy's starting step (Hairer, Nørsett &amp; Wanner, Solving ODEs I, §II.4), written with the field evaluation it needs.</summary>
    private double InitialStep(double t0, double tEnd, double rtol, double atol)
    {
        double span = tEnd - t0;
        double d0 = 0, d1 = 0;
        var f0 = k[0];
        for (int e = 0; e < dim; e++)
        {
            double scale = atol + Math.Abs(y[e]) * rtol;
            d0 += (y[e] / scale) * (y[e] / scale);
            d1 += (f0[e] / scale) * (f0[e] / scale);
        }
        d0 = Math.Sqrt(d0 / dim);
        d1 = Math.Sqrt(d1 / dim);
        double h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * d0 / d1;
        h0 = Math.Min(h0, span);
        for (int e = 0; e < dim; e++) stage[e] = y[e] + h0 * f0[e];
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
        double h1 = d1 <= 1e-15 && d2 <= 1e-15
            ? Math.Max(1e-6, h0 * 1e-3)
            : Math.Pow(0.01 / Math.Max(d1, d2), errorExponent);
        double h = Math.Min(Math.Min(100 * h0, h1), span);
        return double.IsFinite(h) && h > 0 ? h : span;
    }

    private static void CheckFinite(double[] v, int index, double t, string what)
    {
        foreach (var x in v)
            if (!double.IsFinite(x))
                throw new InvalidOperationException($"trajectory {index}: {what} became non-finite at t = {t:R}");
    }
}

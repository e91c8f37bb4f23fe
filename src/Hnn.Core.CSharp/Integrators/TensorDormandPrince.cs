using static TorchSharp.torch;

namespace Hnn.Integrators;

/// <summary>
/// Dormand–Prince 5(4) over a batch of tensors [N, D] with one step size for the whole batch, chosen from the
/// worst trajectory's error norm (the same norm, PI control and dense output as <see cref="DenseAdaptiveIntegrator"/>,
/// so a batch of one takes the same steps as the float64 solver).
/// </summary>
internal static class TensorDormandPrince
{
    /// <summary>Writes the states at tEval into output [N, T, D]; x0 is not modified.</summary>
    public static void Integrate(Func<Tensor, Tensor> field, Tensor x0, double t0, double[] tEval, AdaptiveSettings settings, Tensor output)
    {
        var tableau = DormandPrince45.Tableau;
        var dense = DormandPrince45.Dense;
        int s = tableau.Stages;
        double rtol = settings.RelativeTolerance, atol = settings.AbsoluteTolerance;
        double errorExponent = 1.0 / (tableau.ErrorOrder!.Value + 1);
        double beta = settings.PiBeta, alpha = errorExponent - 0.75 * beta;
        double tEnd = tEval[^1];
        var x = x0.detach().clone();
        double t = t0;
        int next = 0;
        while (next < tEval.Length && tEval[next] == t0) output.select(1, next++).copy_(x);
        if (next == tEval.Length) return;

        var k0 = TensorField.Evaluate(field, x, x);
        CheckFinite(k0, t, "the derivative");
        double h = InitialStep(field, x, k0, t, tEnd, rtol, atol, errorExponent);
        double previousError = 1e-4;
        bool rejected = false;
        for (int attempt = 0; ; attempt++)
        {
            if (attempt >= settings.MaxSteps)
                throw new InvalidOperationException($"batch: no convergence within {settings.MaxSteps} steps, stopped at t = {t:R} with step {h:R}");
            double minStep = 10 * Math.Abs(Math.BitIncrement(t) - t);
            if (h < minStep)
                throw new InvalidOperationException($"batch: step size underflow at t = {t:R} (step {h:R} below {minStep:R}); the solution may blow up or the state may have become non-finite");
            bool last = t + h >= tEnd;
            if (last) h = tEnd - t;

            using var scope = NewDisposeScope();
            var k = TensorExplicitRungeKutta.Stages(tableau, field, x, h, first: k0);
            var xNew = TensorExplicitRungeKutta.Combine(x, h, tableau.Row(s - 1), k);
            var error = TensorExplicitRungeKutta.Combine(zeros_like(x), h, tableau.BError!, k);
            var scale = maximum(x.abs(), xNew.abs()).mul(rtol).add(atol);
            var rowNorms = error.div(scale).square().mean([1]).sqrt();
            var worst = rowNorms.nan_to_num(double.PositiveInfinity, double.PositiveInfinity).max();
            double errorNorm = worst.to_type(ScalarType.Float64).item<double>();

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
            CheckFinite(kLast, tNew, "the derivative");
            while (next < tEval.Length && tEval[next] <= tNew)
            {
                var target = output.select(1, next);
                if (tEval[next] == tNew) target.copy_(xNew);
                else target.copy_(Interpolate(dense, x, k, (tEval[next] - t) / h, h));
                next++;
            }
            if (next == tEval.Length) return;

            double factor = errorNorm == 0
                ? settings.MaxFactor
                : settings.Safety * Math.Pow(errorNorm, -alpha) * Math.Pow(previousError, beta);
            factor = Math.Clamp(factor, settings.MinFactor, rejected ? 1 : settings.MaxFactor);
            previousError = Math.Max(errorNorm, 1e-4);
            rejected = false;

            x.copy_(xNew);
            k0.copy_(kLast);
            t = tNew;
            h *= factor;
        }
    }

    private static Tensor Interpolate(double[,] dense, Tensor x, Tensor[] k, double theta, double h)
    {
        var weights = new double[k.Length];
        for (int i = 0; i < k.Length; i++)
        {
            double w = 0, power = theta;
            for (int j = 0; j < dense.GetLength(1); j++)
            {
                w += dense[i, j] * power;
                power *= theta;
            }
            weights[i] = w;
        }
        return TensorExplicitRungeKutta.Combine(x, h, weights, k);
    }

    /// <summary>scipy's starting step, with each norm taken as the worst over the batch.</summary>
    private static double InitialStep(Func<Tensor, Tensor> field, Tensor x, Tensor f0, double t0, double tEnd, double rtol, double atol, double errorExponent)
    {
        using var scope = NewDisposeScope();
        double span = tEnd - t0;
        var scale = x.abs().mul(rtol).add(atol);
        double d0 = WorstRms(x.div(scale)), d1 = WorstRms(f0.div(scale));
        double h0 = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * d0 / d1;
        h0 = Math.Min(h0, span);
        var f1 = TensorField.Evaluate(field, x.add(f0, h0), x);
        double d2 = WorstRms(f1.sub(f0).div(scale)) / h0;
        double h1 = d1 <= 1e-15 && d2 <= 1e-15
            ? Math.Max(1e-6, h0 * 1e-3)
            : Math.Pow(0.01 / Math.Max(d1, d2), errorExponent);
        double h = Math.Min(Math.Min(100 * h0, h1), span);
        return double.IsFinite(h) && h > 0 ? h : span;
    }

    private static double WorstRms(Tensor v) => v.square().mean([1]).sqrt().max().to_type(ScalarType.Float64).item<double>();

    private static void CheckFinite(Tensor v, double t, string what)
    {
        long row = TensorField.FirstNonFiniteRow(v);
        if (row >= 0) throw new InvalidOperationException($"trajectory {row}: {what} became non-finite at t = {t:R}");
    }
}

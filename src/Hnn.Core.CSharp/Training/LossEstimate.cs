using static TorchSharp.torch;

namespace Hnn.Training;

/// <summary>A mean with its error bar, as the paper reports losses and energy errors.</summary>
/// <param name="Mean">The mean.</param>
/// <param name="Err">Its error (see the factory that made it).</param>
public sealed record LossEstimate(double Mean, double Err)
{
    /// <summary>
    /// The paper's train/test loss: squared errors elementwise over the whole set [N, D];
    /// mean ± (std over all elements) / √N, std with Bessel's correction as torch's default.
    /// Computed in float64.
    /// </summary>
    public static LossEstimate FromSquaredErrors(Tensor squaredErrors)
    {
        using var e = squaredErrors.to_type(ScalarType.Float64);
        long n = e.shape[0];
        double mean = e.mean().item<double>();
        double std = e.numel() > 1 ? e.std().item<double>() : 0.0;
        return new LossEstimate(mean, std / Math.Sqrt(n));
    }

    /// <summary>Mean ± standard error (std with Bessel's correction / √n; 0 for a single value) of independent values.</summary>
    public static LossEstimate MeanAndStdError(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
            throw new ArgumentException("need at least one value");
        double mean = values.Average();
        if (values.Count < 2)
            return new LossEstimate(mean, 0);
        double variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
        return new LossEstimate(mean, Math.Sqrt(variance / values.Count));
    }

    /// <summary>
    /// The paper's energy-error confidence: values split into 5 contiguous parts; mean of all, and
    /// std of the 5 part means / √5.
    /// </summary>
    public static LossEstimate FromSplits(IReadOnlyList<double> values, int parts = 5)
    {
        if (values.Count < parts)
            throw new ArgumentException($"need at least {parts} values, got {values.Count}");
        double mean = values.Average();
        int size = values.Count / parts;
        var means = Enumerable.Range(0, parts).Select(k => values.Skip(k * size).Take(size).Average()).ToArray();
        double m = means.Average();
        double variance = means.Sum(v => (v - m) * (v - m)) / parts;
        return new LossEstimate(mean, Math.Sqrt(variance) / Math.Sqrt(parts));
    }
}

using static TorchSharp.torch;

namespace Hnn.Integrators;

/// <summary>The generic step of a <see cref="DriftKickTableau"/> on a batch of tensors x = (q, p), [N, D].</summary>
internal static class TensorDriftKick
{
    /// <summary>
    /// x(t + h); the full field is evaluated and the half needed kept (it must be separable). With
    /// <paramref name="keepGraph"/> gradients flow through every sub-step.
    /// </summary>
    public static Tensor Step(DriftKickTableau tableau, Func<Tensor, Tensor> field, Tensor x, TensorStepSize h, bool keepGraph)
    {
        long d = x.shape[1];
        if (d % 2 != 0)
            throw new ArgumentException($"a drift–kick method needs x = (q, p) of even dimension, got {d}", nameof(x));
        long n = d / 2;
        var q = x[.., ..(int)n];
        var p = x[.., (int)n..];
        for (int i = 0; i < tableau.Kick.Count; i++)
        {
            double k = tableau.Kick[i];
            if (k != 0)
                p = h.AddScaled(p, TensorField.Evaluate(field, cat([q, p], 1), x, keepGraph)[.., (int)n..], k);
            if (i == tableau.Drift.Count)
                break;
            double dr = tableau.Drift[i];
            if (dr != 0)
                q = h.AddScaled(q, TensorField.Evaluate(field, cat([q, p], 1), x, keepGraph)[.., ..(int)n], dr);
        }
        return cat([q, p], 1);
    }
}

using Hnn.Evaluation;
using Hnn.Integrators;
using Hnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Hnn.Pixels;

/// <summary>Latent paths of a pixel model from K starts and their decoded frame pairs.</summary>
/// <param name="Count">K, the number of paths.</param>
/// <param name="Steps">Frames after the start; each path has Steps + 1 points, one per frame.</param>
/// <param name="Latent">Latent codes [K, Steps + 1, 2], row-major.</param>
/// <param name="Pairs">Decoded frame pairs [K, Steps + 1, PairDimension], row-major (raw decoder output, not clamped).</param>
/// <param name="PairDimension">Length of a frame pair, 2·Side².</param>
public sealed record LatentPath(int Count, int Steps, double[] Latent, float[] Pairs, int PairDimension)
{
    /// <summary>Maximal step of the RK4 integration, in frames (the latent field's time unit is one frame).</summary>
    public const double MaxStep = 0.1;

    /// <summary>The decoded pair of path k at time index i.</summary>
    public ReadOnlySpan<float> Pair(int k, int i) => Pairs.AsSpan((k * (Steps + 1) + i) * PairDimension, PairDimension);

    /// <summary>The later frame of the decoded pair of path k at time index i: the model's picture of that time.</summary>
    public ReadOnlySpan<float> Frame(int k, int i) => Pair(k, i)[(PairDimension / 2)..];

    /// <summary>The latent code (z₀, z₁) of path k at time index i.</summary>
    public (double Z0, double Z1) Code(int k, int i)
    {
        int j = 2 * (k * (Steps + 1) + i);
        return (Latent[j], Latent[j + 1]);
    }

    /// <summary>
    /// Integrates the model's latent field as an ODE in frame units (the reference's protocol: z + f(z) is one frame
    /// later, and the analysis integrates ż = f(z)) from the starts <paramref name="z0"/> [K, 2] to times 0, 1, …,
    /// <paramref name="steps"/> with RK4 on a float64 copy of the field (steps ≤ <see cref="MaxStep"/>), then decodes
    /// every point. With <paramref name="boostAt"/>, energy is added half way: at that time the code is pushed away
    /// from <paramref name="rest"/> (the code of the pendulum hanging still, default the origin),
    /// z ← rest + <paramref name="boostFactor"/>·(z − rest), which scales the swing's amplitude whatever its phase;
    /// the path's point there already carries the change, and integration continues from it.
    /// </summary>
    public static LatentPath Run(
        PixelHnn model,
        double[] z0,
        int steps,
        int? boostAt = null,
        double boostFactor = 1.5,
        double[]? rest = null
    )
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        if (z0.Length == 0 || z0.Length % 2 != 0)
            throw new ArgumentException($"need starts [K, 2], got {z0.Length} values", nameof(z0));
        if (boostAt is int b && (b < 0 || b > steps))
            throw new ArgumentOutOfRangeException(nameof(boostAt), b, $"must be in [0, {steps}]");
        if (rest is { Length: not 2 })
            throw new ArgumentException($"the rest code has 2 values, got {rest.Length}", nameof(rest));
        int k = z0.Length / 2;
        using var scope = NewDisposeScope();
        using var field64 = ModelField.ToFloat64(model.Dynamics);
        var field = ModelField.Of(field64);
        var start = tensor(z0, [k, 2], ScalarType.Float64);
        Tensor path;
        if (boostAt is int at && at < steps)
        {
            var first = Solve(field, start, 0, at);
            var origin = tensor(rest ?? [0.0, 0.0], [1, 2], ScalarType.Float64);
            var boosted = origin.Plus((first.select(1, at) - origin).Times(boostFactor));
            var second = Solve(field, boosted, at, steps);
            path = cat(new[] { first.narrow(1, 0, at), second }, 1);
        }
        else
            path = Solve(field, start, 0, steps);
        var latent = path.contiguous().data<double>().ToArray();
        float[] pairs;
        using (no_grad())
        {
            using var decoded = model.Decode(path.reshape(-1, 2).to_type(ScalarType.Float32));
            pairs = decoded.contiguous().data<float>().ToArray();
        }
        return new LatentPath(k, steps, latent, pairs, model.Autoencoder.InputDim);
    }

    /// <summary>States at times from, from + 1, …, to as [K, to − from + 1, 2].</summary>
    private static Tensor Solve(Func<Tensor, Tensor> field, Tensor start, int from, int to)
    {
        var times = Enumerable.Range(from, to - from + 1).Select(t => (double)t).ToArray();
        return TensorOde.Solve(field, Rk4.Tableau, start, from, times, new FixedSteps(MaxStep));
    }
}

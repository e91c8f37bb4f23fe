using Hnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Hnn.Models.Sampled;

/// <summary>
/// Draws the hidden layer of a sampled network (Rahma, Datar &amp; Dietrich 2024, after Bolager et al.'s SWIM, 2023):
/// data-agnostic (ELM) or from pairs of data points (SWIM). Every draw comes from the <see cref="Generator"/> passed in,
/// so a seed reproduces the layer. Tensors are float64.
/// </summary>
public static class LayerSampling
{
    /// <summary>
    /// An extreme-learning-machine layer, data-agnostic in its directions: in the states' standardised coordinates
    /// z = (x − mean) / std, weights N(0, scale² / D) and biases U(−1, 1) (swimnetworks' ELM biases), so that each
    /// pre-activation w·z + b spreads by about <paramref name="scale"/> over the data around a random offset. With a
    /// small scale the features are smooth and nearly polynomial over the data, which is what a smooth H needs: on
    /// noise-free Hénon–Heiles (800 tanh neurons) the test relative field MSE was 4e-10 at scales 0.05 and 0.06, 2e-5
    /// at 0.6 and 0.2 at 2; at 0.014 the basis was too ill-conditioned for the noisy pendulum (test loss 25 % up).
    /// </summary>
    /// <param name="states">States [N, D], float64.</param>
    /// <param name="width">Neurons M.</param>
    /// <param name="activation">tanh or sigmoid.</param>
    /// <param name="scale">The spread of the pre-activations over the data (<see cref="SampledSettings.ElmScale"/>).</param>
    /// <param name="generator">Source of every random number.</param>
    public static SampledLayer Elm(Tensor states, int width, Nonlinearity activation, double scale, Generator generator)
    {
        CheckStates(states);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (!(scale > 0 && double.IsFinite(scale)))
            throw new ArgumentException($"the ELM scale must be positive and finite, got {scale}");
        SampledActivation.Check(activation);
        using var scope = NewDisposeScope();
        var x = states.to_type(ScalarType.Float64);
        long d = x.shape[1];
        var mean = x.mean([0]);
        // A coordinate that never changes keeps unit scale rather than an infinite weight.
        var spread = tensor(x.std(0).data<double>().ToArray().Select(v => v > 0 ? v : 1.0).ToArray(), ScalarType.Float64);
        var w = randn(width, d, ScalarType.Float64, generator: generator).Times(scale / Math.Sqrt(d)) / spread;
        var b = rand(width, ScalarType.Float64, generator: generator).Times(2).Minus(1) - w.matmul(mean);
        return new SampledLayer(w.MoveToOuterDisposeScope(), b.MoveToOuterDisposeScope(), activation);
    }

    /// <summary>
    /// A SWIM layer: each neuron from a pair of states (x1, x2) drawn by <see cref="DrawPairs"/>, with
    /// w = 2s·(x2 − x1) / |x2 − x1|² and b = −w·x1 − s, so that w·x1 + b = −s and w·x2 + b = +s: the pair sits on the
    /// activation's steep part (<see cref="SampledActivation.SteepHalfWidth"/>), and the neuron changes most along the
    /// direction in which the data change.
    /// </summary>
    /// <param name="states">States [N, D], float64.</param>
    /// <param name="values">Function values at the states [N] to guide the pairs (SWIM, A-SWIM), or null for uniform pairs.</param>
    /// <param name="width">Neurons M.</param>
    /// <param name="activation">tanh or sigmoid.</param>
    /// <param name="generator">Source of every random number.</param>
    public static SampledLayer Swim(Tensor states, Tensor? values, int width, Nonlinearity activation, Generator generator)
    {
        SampledActivation.Check(activation);
        using var scope = NewDisposeScope();
        var x = states.to_type(ScalarType.Float64);
        var (from, to) = DrawPairs(x, values, width, generator);
        var x1 = x.index_select(0, from);
        var difference = x.index_select(0, to) - x1;
        double s = SampledActivation.SteepHalfWidth(activation);
        var w = (difference / difference.Squared().sum([1], keepdim: true)).Times(2 * s);
        var b = (w * x1).sum([1]).neg().Minus(s);
        return new SampledLayer(
            w.MoveToOuterDisposeScope(),
            b.MoveToOuterDisposeScope(),
            activation,
            from.MoveToOuterDisposeScope(),
            to.MoveToOuterDisposeScope()
        );
    }

    /// <summary>
    /// Draws <paramref name="count"/> ordered pairs of distinct states (i, j), with replacement, with probability
    /// ∝ |v_j − v_i| / |x_j − x_i| when values v are given, else uniformly. The candidates are every ordered pair when
    /// there are at most max(N, 2·count) of them, else that many pairs drawn uniformly (as swimnetworks does); pairs of
    /// coinciding states (|x_j − x_i| ≤ 1e-10 of the largest distance) are never drawn. If every candidate has
    /// |Δv| = 0 the pairs are drawn uniformly.
    /// </summary>
    /// <returns>Indices i (From) and j (To), int64 [count].</returns>
    /// <exception cref="ArgumentException">Fewer than two distinct states, or values of the wrong size or not finite.</exception>
    public static (Tensor From, Tensor To) DrawPairs(Tensor states, Tensor? values, int count, Generator generator)
    {
        CheckStates(states);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        long n = states.shape[0];
        if (values is not null && (values.dim() != 1 || values.shape[0] != n))
            throw new ArgumentException($"SWIM needs one value per state: {n} states, values of shape [{string.Join(", ", values.shape)}]");
        using var scope = NewDisposeScope();
        var (i, j) = Candidates(n, count, generator);
        var from = tensor(i);
        var to = tensor(j);
        var x = states.to_type(ScalarType.Float64);
        var distance = (x.index_select(0, to) - x.index_select(0, from)).Squared().sum([1]).sqrt().data<double>().ToArray();
        double largest = distance.Max();
        if (!(largest > 0))
            throw new ArgumentException($"all {n} states coincide: SWIM needs at least two distinct states");
        var change = values is null
            ? null
            : (values.to_type(ScalarType.Float64).index_select(0, to) - values.to_type(ScalarType.Float64).index_select(0, from))
                .abs()
                .data<double>()
                .ToArray();
        if (change is not null && change.Any(c => !double.IsFinite(c)))
            throw new ArgumentException("SWIM's function values must be finite");
        var weight = new double[distance.Length];
        for (int k = 0; k < weight.Length; k++)
            weight[k] =
                distance[k] <= 1e-10 * largest ? 0
                : change is null ? 1
                : change[k] / distance[k];
        if (!(weight.Sum() > 0))
            for (int k = 0; k < weight.Length; k++)
                weight[k] = distance[k] <= 1e-10 * largest ? 0 : 1;
        var picked = multinomial(tensor(weight, ScalarType.Float64), count, replacement: true, generator: generator);
        return (from.index_select(0, picked).MoveToOuterDisposeScope(), to.index_select(0, picked).MoveToOuterDisposeScope());
    }

    /// <summary>Every ordered pair i ≠ j when there are few, else max(N, 2·count) uniform ones (at most 2²⁴, torch's multinomial limit).</summary>
    static (long[] From, long[] To) Candidates(long n, int count, Generator generator)
    {
        long limit = Math.Min(Math.Max(n, 2L * count), 1L << 24);
        if (n * (n - 1) <= limit)
        {
            var all = new List<long>[] { new(), new() };
            for (long a = 0; a < n; a++)
            for (long b = 0; b < n; b++)
            {
                if (a == b)
                    continue;
                all[0].Add(a);
                all[1].Add(b);
            }
            return (all[0].ToArray(), all[1].ToArray());
        }
        using var scope = NewDisposeScope();
        var first = randint(0, n, [limit], ScalarType.Int64, generator: generator).data<long>().ToArray();
        // j = i + δ mod N with δ uniform in 1..N−1: uniform over the ordered pairs with j ≠ i.
        var offset = randint(1, n, [limit], ScalarType.Int64, generator: generator).data<long>().ToArray();
        var second = new long[limit];
        for (long k = 0; k < limit; k++)
            second[k] = (first[k] + offset[k]) % n;
        return (first, second);
    }

    static void CheckStates(Tensor states)
    {
        if (states.dim() != 2)
            throw new ArgumentException($"states must be a matrix [N, D], got shape [{string.Join(", ", states.shape)}]");
        if (states.shape[0] < 2)
            throw new ArgumentException($"sampling a layer needs at least 2 states, got {states.shape[0]}");
    }
}

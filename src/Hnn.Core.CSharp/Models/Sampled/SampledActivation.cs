using Hnn.Tensors;
using static TorchSharp.torch;

namespace Hnn.Models.Sampled;

/// <summary>
/// The activations a sampled network can use, in closed form with their first and second derivatives: tanh and the
/// logistic sigmoid, smooth (so the learned field is smooth for every integrator) and with a steep middle on which
/// SWIM places its pairs of data points.
/// </summary>
public static class SampledActivation
{
    /// <summary>
    /// The pre-activation s at which SWIM places a pair's two points (at −s and +s): where the activation has covered
    /// a quarter and three quarters of its range, σ(±s) at ∓½ and ±½ of the way from the middle (swimnetworks' choice):
    /// tanh(±½·ln 3) = ±½, sigmoid(±ln 3) = ¼ and ¾.
    /// </summary>
    public static double SteepHalfWidth(Nonlinearity n) =>
        n switch
        {
            Nonlinearity.Tanh => 0.5 * Math.Log(3),
            Nonlinearity.Sigmoid => Math.Log(3),
            _ => throw Unsupported(n),
        };

    /// <summary>Checks that a sampled network can use <paramref name="n"/>.</summary>
    /// <exception cref="ArgumentException">It is not tanh or sigmoid.</exception>
    public static void Check(Nonlinearity n)
    {
        if (n is not (Nonlinearity.Tanh or Nonlinearity.Sigmoid))
            throw Unsupported(n);
    }

    /// <summary>σ(a) elementwise.</summary>
    public static Tensor Value(Nonlinearity n, Tensor a) =>
        n switch
        {
            Nonlinearity.Tanh => a.tanh(),
            Nonlinearity.Sigmoid => a.sigmoid(),
            _ => throw Unsupported(n),
        };

    /// <summary>σ′(a) elementwise.</summary>
    public static Tensor Slope(Nonlinearity n, Tensor a)
    {
        using var scope = NewDisposeScope();
        var y = Value(n, a);
        var slope =
            n == Nonlinearity.Tanh
                ? y.Squared().Subtracted(1) // 1 − tanh²
                : y * y.Subtracted(1); // s(1 − s)
        return slope.MoveToOuterDisposeScope();
    }

    /// <summary>σ″(a) elementwise.</summary>
    public static Tensor Curvature(Nonlinearity n, Tensor a)
    {
        using var scope = NewDisposeScope();
        var y = Value(n, a);
        var curvature =
            n == Nonlinearity.Tanh
                ? (y * y.Squared().Subtracted(1)).Times(-2) // −2 tanh (1 − tanh²)
                : y * y.Subtracted(1) * y.Times(-2).Plus(1); // s(1 − s)(1 − 2s)
        return curvature.MoveToOuterDisposeScope();
    }

    static ArgumentException Unsupported(Nonlinearity n) =>
        new($"a sampled network needs a smooth activation with a steep middle (tanh or sigmoid), got {n.Name()}");
}

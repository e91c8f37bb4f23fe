using Hnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Hnn.Models;

/// <summary>The nonlinearities the reference implementation offers for its MLPs.</summary>
public enum Nonlinearity
{
    /// <summary>Hyperbolic tangent (the paper's default).</summary>
    Tanh,

    /// <summary>max(0, x).</summary>
    Relu,

    /// <summary>1 / (1 + e^−x).</summary>
    Sigmoid,

    /// <summary>log(1 + e^x).</summary>
    Softplus,

    /// <summary>Scaled exponential linear unit.</summary>
    Selu,

    /// <summary>Exponential linear unit.</summary>
    Elu,

    /// <summary>x · sigmoid(x).</summary>
    Swish,
}

/// <summary>Applying and naming <see cref="Nonlinearity"/> values.</summary>
public static class Nonlinearities
{
    /// <summary>Applies the nonlinearity elementwise.</summary>
    public static Tensor Apply(this Nonlinearity n, Tensor x) =>
        n switch
        {
            Nonlinearity.Tanh => x.tanh(),
            Nonlinearity.Relu => nn.functional.relu(x),
            Nonlinearity.Sigmoid => x.sigmoid(),
            Nonlinearity.Softplus => nn.functional.relu(x).Plus(x.abs().neg().exp().log1p()),
            Nonlinearity.Selu => nn.functional.selu(x),
            Nonlinearity.Elu => where(x.GreaterThan(0), x, x.expm1()),
            Nonlinearity.Swish => x * x.sigmoid(),
            _ => throw new ArgumentOutOfRangeException(nameof(n), n, "unknown nonlinearity"),
        };

    /// <summary>σ'(a) elementwise, given the pre-activation a and the activation y = σ(a) (whichever is cheaper).</summary>
    public static Tensor Derivative(this Nonlinearity n, Tensor a, Tensor y) =>
        n switch
        {
            Nonlinearity.Tanh => y.Squared().Subtracted(1),
            Nonlinearity.Relu => a.GreaterThan(0).to_type(a.dtype),
            Nonlinearity.Sigmoid => y * y.Subtracted(1),
            Nonlinearity.Softplus => a.sigmoid(),
            Nonlinearity.Selu => where(a.GreaterThan(0), a.FullLike(SeluScale), y.Plus(SeluScale * SeluAlpha)),
            Nonlinearity.Elu => where(a.GreaterThan(0), ones_like(a), y.Plus(1)),
            Nonlinearity.Swish => SwishDerivative(a),
            _ => throw new ArgumentOutOfRangeException(nameof(n), n, "unknown nonlinearity"),
        };

    const double SeluScale = 1.0507009873554804934193349852946;
    const double SeluAlpha = 1.6732632423543772848170429916717;

    static Tensor SwishDerivative(Tensor a)
    {
        using var s = a.sigmoid();
        return s.Plus(a * s * s.Subtracted(1));
    }

    /// <summary>The lower-case name used in settings files and on the command line.</summary>
    public static string Name(this Nonlinearity n) => n.ToString().ToLowerInvariant();

    /// <summary>Parses a lower-case name; the error lists the valid ones.</summary>
    /// <exception cref="ArgumentException">The name is not a known nonlinearity.</exception>
    public static Nonlinearity Parse(string name) =>
        Enum.TryParse<Nonlinearity>(name, ignoreCase: true, out var n) && Enum.IsDefined(n)
            ? n
            : throw new ArgumentException(
                $"unknown nonlinearity '{name}' (expected one of: {string.Join(", ", Enum.GetValues<Nonlinearity>().Select(Name))})"
            );
}

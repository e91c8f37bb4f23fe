using Hnn.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hnn.Models.SympNets;

/// <summary>
/// A linear SympNet module (Jin et al. 2020): shears x ← x + h·[0, S; 0, 0]x and x ← x + h·[0, 0; S, 0]x alternately,
/// each S = A + Aᵀ symmetric (so each shear is symplectic), then a translation by h·b. Jin et al.'s init: A ~ N(0, 0.01²),
/// b = 0.
/// </summary>
public sealed class LinearModule : nn.Module<Tensor, Tensor>
{
    private readonly Parameter factors;
    private readonly Parameter bias;
    private readonly ShearKind first;
    private readonly double h;

    /// <summary><paramref name="sublayers"/> shears of n = <paramref name="half"/> degrees of freedom, the first of kind <paramref name="first"/>, over a step h.</summary>
    public LinearModule(int half, int sublayers, ShearKind first, double h)
        : base(nameof(LinearModule))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(half, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sublayers, 1);
        using (var draw = randn(sublayers, half, half))
            factors = nn.Parameter(draw.Times(0.01));
        bias = nn.Parameter(zeros(2 * half));
        this.first = first;
        this.h = h;
        RegisterComponents();
    }

    /// <summary>The symmetric matrix S = A + Aᵀ of sublayer i: [n, n].</summary>
    public Tensor Symmetric(int i)
    {
        using var a = factors[i];
        return a.Plus(a.t());
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var kind = first;
        for (int i = 0; i < factors.shape[0]; i++)
        {
            var s = Symmetric(i);
            x = kind.Apply(x, half => half.matmul(s), h);
            kind = kind.Other();
        }
        return x.AddScaled(bias, h).MoveToOuterDisposeScope();
    }
}

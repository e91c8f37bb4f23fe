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
public sealed class LinearModule : ShearModule
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

    /// <inheritdoc />
    public override Halves Move(Halves x)
    {
        // Every sublayer's S = A + Aᵀ in one call: [sublayers, n, n].
        using var symmetric = factors.Plus(factors.transpose(1, 2));
        var kind = first;
        for (int i = 0; i < factors.shape[0]; i++)
        {
            using var s = symmetric[i];
            x = kind.Apply(x, (fixedHalf, moving) => moving.AddMatmul(fixedHalf, s, h));
            kind = kind.Other();
        }
        long n = factors.shape[1];
        return new(x.Q.AddScaled(bias.narrow(0, 0, n), h), x.P.AddScaled(bias.narrow(0, n, n), h));
    }
}

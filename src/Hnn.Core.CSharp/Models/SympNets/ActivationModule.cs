using Hnn.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hnn.Models.SympNets;

/// <summary>
/// An activation SympNet module (Jin et al. 2020): a kick p ← p + h·a ⊙ σ(q) or a drift q ← q + h·a ⊙ σ(p), symplectic
/// because the increment is the gradient of Σᵢ aᵢ∫σ(qᵢ). Jin et al.'s init: a ~ N(0, 0.01²).
/// </summary>
public sealed class ActivationModule : ShearModule
{
    private readonly Parameter scale;
    private readonly ShearKind kind;
    private readonly Nonlinearity nonlinearity;
    private readonly double h;

    /// <summary>A module of kind <paramref name="kind"/> on n = <paramref name="half"/> degrees of freedom, over a step h.</summary>
    public ActivationModule(int half, ShearKind kind, Nonlinearity nonlinearity, double h)
        : base(nameof(ActivationModule))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(half, 1);
        using (var draw = randn(half))
            scale = nn.Parameter(draw.Times(0.01));
        this.kind = kind;
        this.nonlinearity = nonlinearity;
        this.h = h;
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Halves Move(Halves x) =>
        kind.Apply(
            x,
            (fixedHalf, moving) =>
            {
                using var activated = nonlinearity.Apply(fixedHalf);
                return moving.AddScaledProduct(activated, scale, h);
            }
        );
}

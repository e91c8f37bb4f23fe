using Hnn.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hnn.Models.SympNets;

/// <summary>
/// A gradient SympNet module (Jin et al. 2020): a kick p ← p + h·K diag(a) σ(Kᵀq + b) or the drift with q and p
/// exchanged, K [n, w]. The increment is the gradient of Σⱼ aⱼ∫σ(kⱼ·q + bⱼ), so its Jacobian K diag(a ⊙ σ′) Kᵀ is
/// symmetric and the shear symplectic. Init: K, b ~ N(0, 1), a ~ N(0, 0.01²): the map starts near the identity (a is
/// small) with its activations spread over σ's curved range. With Jin et al.'s K ~ N(0, 0.01²), b = 0 every σ sits at
/// σ(0) and the module's dependence on the state is ~K², so its gradients vanish: measured on the spring (2000 steps,
/// seed 0) energy MSE 7.3e+04 and a diverging rollout with that init, 7.6e-04 with this one (docs/model-families.md).
/// </summary>
public sealed class GradientModule : ShearModule
{
    private readonly Parameter weights;
    private readonly Parameter scale;
    private readonly Parameter bias;
    private readonly ShearKind kind;
    private readonly Nonlinearity nonlinearity;
    private readonly double h;

    /// <summary>A module of kind <paramref name="kind"/> and width w = <paramref name="width"/> on n = <paramref name="half"/> degrees of freedom, over a step h.</summary>
    public GradientModule(int half, int width, ShearKind kind, Nonlinearity nonlinearity, double h)
        : base(nameof(GradientModule))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(half, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        using (var draw = randn(half, width))
            weights = nn.Parameter(draw.clone());
        using (var draw = randn(width))
            scale = nn.Parameter(draw.Times(0.01));
        using (var draw = randn(width))
            bias = nn.Parameter(draw.clone());
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
                using var inner = bias.AddMatmul(fixedHalf, weights, 1.0);
                using var activated = nonlinearity.Apply(inner);
                using var scaled = activated * scale;
                using var transposed = weights.t();
                return moving.AddMatmul(scaled, transposed, h);
            }
        );
}

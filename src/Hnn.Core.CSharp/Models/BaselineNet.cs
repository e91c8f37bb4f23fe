using static TorchSharp.torch;

namespace Hnn.Models;

/// <summary>The paper's baseline: an MLP whose output is the time derivative itself.</summary>
public sealed class BaselineNet : DynamicsModel
{
    private readonly Mlp mlp;

    /// <summary>Creates a baseline of the given settings (its kind must be <see cref="ModelKind.Baseline"/>).</summary>
    public BaselineNet(ModelSettings settings)
        : base(nameof(BaselineNet), settings with { Kind = ModelKind.Baseline })
    {
        mlp = new Mlp(settings.InputDim, settings.HiddenDim, settings.InputDim, settings.Nonlinearity);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor TimeDerivative(Tensor x, bool createGraph) => mlp.forward(x);
}

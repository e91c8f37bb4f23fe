using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hnn.Models.SympNets;

/// <summary>
/// A G-SympNet (Jin, Zhang, Zhu, Tang, Karniadakis 2020): <see cref="ModelSettings.Layers"/> gradient modules
/// alternating kick and drift, each of width <see cref="ModelSettings.HiddenDim"/>. Every module is a symplectic shear,
/// so the step map is symplectic for every choice of weights. float32; <see cref="ModelSettings.Nonlinearity"/> (sigmoid
/// by default, as Jin et al.) in the modules.
/// </summary>
public sealed class GSympNet : StepMap
{
    private readonly ModuleList<GradientModule> layers;

    /// <summary>Gradient modules of a new G-SympNet.</summary>
    public const int DefaultLayers = 6;

    /// <summary>Gradient modules of the G-SympNets saved before the depth was a setting.</summary>
    public const int FormerLayers = 6;

    /// <summary>Creates a G-SympNet (its kind is set to <see cref="ModelKind.GSympNet"/>); the settings need a step size.</summary>
    public GSympNet(ModelSettings settings)
        : base(nameof(GSympNet), settings with { Kind = ModelKind.GSympNet })
    {
        int half = settings.InputDim / 2;
        var kind = ShearKind.Kick;
        var list = new GradientModule[Settings.SympNetLayers()];
        for (int i = 0; i < list.Length; i++)
        {
            list[i] = new GradientModule(half, settings.HiddenDim, kind, settings.Nonlinearity, StepSize);
            kind = kind.Other();
        }
        layers = nn.ModuleList(list);
        RegisterComponents();
    }

    /// <inheritdoc />
    private protected override IEnumerable<ShearModule> Modules => layers;
}

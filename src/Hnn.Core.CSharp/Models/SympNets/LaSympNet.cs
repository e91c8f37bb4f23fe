using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hnn.Models.SympNets;

/// <summary>
/// An LA-SympNet (Jin, Zhang, Zhu, Tang, Karniadakis 2020, "SympNets: intrinsic structure-preserving symplectic networks
/// for identifying Hamiltonian systems"): linear modules with activation modules between them,
/// L_k ∘ N_{k−1} ∘ … ∘ N_1 ∘ L_1, the activations alternating kick and drift. Every module is a symplectic shear or a
/// translation, so the whole step map is symplectic for every choice of weights. float32;
/// <see cref="ModelSettings.Layers"/> linear modules of <see cref="Sublayers"/> shears each,
/// <see cref="ModelSettings.Nonlinearity"/> (sigmoid by default, as Jin et al.) in the activation modules.
/// </summary>
public sealed class LaSympNet : StepMap
{
    private readonly ModuleList<ShearModule> layers;

    /// <summary>Linear modules (activation modules: one fewer) of a new LA-SympNet.</summary>
    public const int DefaultLayers = 8;

    /// <summary>Linear modules of the LA-SympNets saved before the depth was a setting.</summary>
    public const int FormerLayers = 8;

    /// <summary>Shears per linear module.</summary>
    public const int Sublayers = 4;

    /// <summary>Creates an LA-SympNet (its kind is set to <see cref="ModelKind.LaSympNet"/>); the settings need a step size.</summary>
    public LaSympNet(ModelSettings settings)
        : base(nameof(LaSympNet), settings with { Kind = ModelKind.LaSympNet })
    {
        int half = settings.InputDim / 2;
        double h = StepSize;
        var list = new List<ShearModule>();
        var activation = ShearKind.Kick;
        int depth = Settings.SympNetLayers();
        for (int i = 0; i < depth; i++)
        {
            list.Add(new LinearModule(half, Sublayers, ShearKind.Kick, h));
            if (i == depth - 1)
                break;
            list.Add(new ActivationModule(half, activation, settings.Nonlinearity, h));
            activation = activation.Other();
        }
        layers = nn.ModuleList(list.ToArray());
        RegisterComponents();
    }

    /// <inheritdoc />
    private protected override IEnumerable<ShearModule> Modules => layers;
}

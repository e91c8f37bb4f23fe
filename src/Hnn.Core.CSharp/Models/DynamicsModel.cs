using TorchSharp;
using static TorchSharp.torch;

namespace Hnn.Models;

/// <summary>A learned vector field: maps states x [N, D] to time derivatives dx/dt [N, D] (float32).</summary>
public abstract class DynamicsModel : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the module.</summary>
    protected DynamicsModel(string name, ModelSettings settings)
        : base(name) => Settings = settings.Validate();

    /// <summary>The architecture this model was built with.</summary>
    public ModelSettings Settings { get; }

    /// <summary>
    /// The coordinates of the states this model takes and returns: canonical (q, p) except for the Lagrangian network's
    /// (q, q̇). Training data and rollouts are converted through <see cref="Lagrangian.VelocityCoordinates"/> where they differ.
    /// </summary>
    public virtual StateCoordinates Coordinates => StateCoordinates.Canonical;

    /// <summary>
    /// The predicted dx/dt. With <paramref name="createGraph"/> the result stays differentiable with
    /// respect to the weights (needed for training an HNN, whose field is itself a gradient).
    /// </summary>
    public abstract Tensor TimeDerivative(Tensor x, bool createGraph);

    /// <summary>dx/dt, differentiable with respect to the weights when in training mode.</summary>
    public override Tensor forward(Tensor x) => TimeDerivative(x, createGraph: training);

    /// <summary>
    /// Builds an untrained model of the given settings. With a seed, torch's global generator is seeded
    /// first, so the initial weights are reproducible; without one they come from its current state.
    /// </summary>
    public static DynamicsModel Create(ModelSettings settings, int? seed = null)
    {
        if (seed is int s)
            random.manual_seed(s);
        return Build(settings);
    }

    static DynamicsModel Build(ModelSettings settings) =>
        settings.Kind switch
        {
            ModelKind.Baseline => new BaselineNet(settings),
            ModelKind.Hnn => new HamiltonianNet(settings),
            ModelKind.DissipativeHnn => new DissipativeHnn(settings),
            // Untrained sampled models have zero weights until a fit or a weights file fills them (no random init to seed).
            ModelKind.SampledHnn => new Sampled.SampledHnn(settings),
            ModelKind.SampledDissipativeHnn => new Sampled.SampledDissipativeHnn(settings),
            ModelKind.PortHnn => new PortHamiltonian.PortHamiltonianNet(settings),
            ModelKind.Lnn => new Lagrangian.LagrangianNet(settings),
            ModelKind.Delan => new Lagrangian.DeepLagrangianNet(settings),
            ModelKind.LaSympNet => new SympNets.LaSympNet(settings),
            ModelKind.GSympNet => new SympNets.GSympNet(settings),
            _ => throw new ArgumentOutOfRangeException(nameof(settings), settings.Kind, "unknown model kind"),
        };
}

using Hnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Hnn.Models.Sampled;

/// <summary>
/// The sampled counterpart of <see cref="DissipativeHnn"/>: a sampled Hamiltonian H and a sampled dissipation function D
/// (each its own hidden layer of <see cref="ModelSettings.HiddenDim"/> neurons), field dx/dt = M·∇H + ∇D. The field is
/// linear in both coefficient vectors, so one least-squares problem fits them together (<see cref="SampledFit"/>).
/// float64, like <see cref="SampledHnn"/>.
/// </summary>
/// <remarks>
/// As for the trained model, the split into H and D is unique only up to harmonic functions, but the contraction
/// rate −ΔD = −∇·(dx/dt) is fixed by the data; here it is closed form, −Σₖ dₖ σ″(vₖ·x + eₖ) |vₖ|².
/// </remarks>
public sealed class SampledDissipativeHnn : SampledHnn
{
    private readonly SampledFunction dissipation;

    /// <summary>An untrained sampled dissipative HNN (its kind is set to <see cref="ModelKind.SampledDissipativeHnn"/>, its field to both parts).</summary>
    public SampledDissipativeHnn(ModelSettings settings)
        : this(Normalise(settings), null, null) { }

    SampledDissipativeHnn(ModelSettings settings, SampledFunction? hamiltonian, SampledFunction? dissipation)
        : base(nameof(SampledDissipativeHnn), settings, hamiltonian)
    {
        this.dissipation =
            dissipation ?? new SampledFunction(settings.InputDim, settings.HiddenDim, settings.Nonlinearity, settings.MomentumSymmetric);
        if (this.dissipation.Width != settings.HiddenDim)
            throw new ArgumentException($"the fitted D has {this.dissipation.Width} neurons but the settings say {settings.HiddenDim}");
        register_module(nameof(dissipation), this.dissipation);
    }

    /// <summary>A fitted sampled dissipative HNN.</summary>
    internal static SampledDissipativeHnn Fitted(ModelSettings settings, SampledFunction hamiltonian, SampledFunction dissipation) =>
        new(Normalise(settings), hamiltonian, dissipation);

    static ModelSettings Normalise(ModelSettings settings) =>
        settings with
        {
            Kind = ModelKind.SampledDissipativeHnn,
            Field = FieldType.Both,
        };

    /// <summary>The learned dissipation function as a module.</summary>
    public SampledFunction DissipationFunction => dissipation;

    /// <summary>The learned dissipation function D at each state [N], in the states' dtype.</summary>
    public Tensor Dissipation(Tensor x)
    {
        using var scope = NewDisposeScope();
        return dissipation.Value(x.to_type(ComputeType)).to_type(x.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>The energy-conserving part of the field, M·∇H: [N, D], in the states' dtype.</summary>
    public Tensor ConservativeField(Tensor x)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return Symplectic(HamiltonianFunction.Gradient(x.to_type(ComputeType))).to_type(x.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>The dissipative part of the field, ∇D: [N, D], in the states' dtype.</summary>
    public Tensor DissipativeField(Tensor x)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return dissipation.Gradient(x.to_type(ComputeType)).to_type(x.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// −ΔD = −∇·(dx/dt) at each state [N], in the states' dtype: the rate at which the learned flow contracts
    /// phase-space volume (1/time), in closed form. Zero for a conservative model; γ for one degree of freedom with
    /// friction −γ·p.
    /// </summary>
    public Tensor ContractionRate(Tensor x)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return dissipation.Laplacian(x.to_type(ComputeType)).neg().to_type(x.dtype).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    private protected override Tensor Field(Tensor x) => base.Field(x).Plus(dissipation.Gradient(x));
}

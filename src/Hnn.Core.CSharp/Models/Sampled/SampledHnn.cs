using TorchSharp;
using static TorchSharp.torch;

namespace Hnn.Models.Sampled;

/// <summary>
/// A sampled Hamiltonian neural network (Rahma, Datar &amp; Dietrich 2024, arXiv 2411.17511): one hidden layer,
/// H(x) = Σₖ cₖ σ(wₖ·x + bₖ) + c₀, with the hidden weights sampled (ELM, SWIM, A-SWIM) and c solved by linear least
/// squares from the condition M·∇H(xᵢ) = ẋᵢ (<see cref="SampledFit"/>); no backpropagation. Its field M·∇H is written in
/// closed form, ∇H = Σₖ cₖ σ′(wₖ·x + bₖ) wₖ, and is differentiable with respect to the states, so autograd Jacobians,
/// every integrator and the physics checks work on it as on the trained HNN.
/// </summary>
/// <remarks>
/// <para>
/// Parameters and arithmetic are float64, and the field is returned in the dtype of the states passed in. A
/// least-squares solution over hundreds of features has large coefficients that cancel: fitted to noise-free
/// Hénon–Heiles (ELM, 800 neurons), Σ|cₖ| ≈ 1e3 against |f| ≈ 1. Evaluated in float32, that model's relative field MSE
/// rose from 1.2e-11 to 1.3e-10 on its training states (3.5e-10 to 4.4e-10 on the test states), a float32 noise of
/// ~1e-5 relative that would also stall an adaptive integrator at rtol 1e-9; on the noise-limited spring the two agree
/// to every printed digit. So unlike the trained networks (float32, as the paper's) a sampled model stays float64: it
/// is one layer, and the fit's accuracy survives.
/// </para>
/// <para>
/// An untrained model (from <see cref="DynamicsModel.Create"/>) has zero weights and a zero field until a weights file
/// is loaded into it; a fit builds its models itself.
/// </para>
/// </remarks>
public class SampledHnn : DynamicsModel
{
    private readonly SampledFunction hamiltonian;
    private readonly Tensor structureTransposed;

    /// <summary>An untrained sampled HNN of the given settings (its kind is set to <see cref="ModelKind.SampledHnn"/>).</summary>
    public SampledHnn(ModelSettings settings)
        : this(nameof(SampledHnn), settings with { Kind = ModelKind.SampledHnn, Field = FieldType.Solenoidal }, null) { }

    /// <summary>For the dissipative counterpart, and for fits that pass the fitted H.</summary>
    private protected SampledHnn(string name, ModelSettings settings, SampledFunction? fitted)
        : base(name, settings)
    {
        hamiltonian =
            fitted ?? new SampledFunction(settings.InputDim, settings.HiddenDim, settings.Nonlinearity, settings.MomentumSymmetric);
        if (hamiltonian.Width != settings.HiddenDim)
            throw new ArgumentException($"the fitted H has {hamiltonian.Width} neurons but the settings say {settings.HiddenDim}");
        structureTransposed = HamiltonianNet
            .Structure(settings.InputDim, settings.CanonicalCoordinates)
            .t()
            .to_type(ScalarType.Float64)
            .contiguous()
            .DetachFromDisposeScope();
        RegisterComponents();
    }

    /// <summary>A fitted sampled HNN.</summary>
    internal static SampledHnn Fitted(ModelSettings settings, SampledFunction hamiltonian) =>
        new(nameof(SampledHnn), settings with { Kind = ModelKind.SampledHnn, Field = FieldType.Solenoidal }, hamiltonian);

    /// <summary>
    /// The settings this model was fitted with (<see cref="SampledFit.Fit"/>, or read back from its model file), so
    /// <see cref="ModelFile.Save"/> records them; null for a model neither fitted nor loaded with them.
    /// </summary>
    public SampledSettings? Sampling { get; internal set; }

    /// <summary>What the fit chose and measured (sampler, width, λ, validation error, seconds); null as for <see cref="Sampling"/>.</summary>
    public SampledFitReport? FitReport { get; internal set; }

    /// <summary>The learned Hamiltonian as a module: its sampled layer, coefficients, value, gradient and Laplacian.</summary>
    public SampledFunction HamiltonianFunction => hamiltonian;

    /// <summary>The dtype the model computes in (float64 unless converted).</summary>
    public ScalarType ComputeType => hamiltonian.ComputeType;

    /// <summary>The learned Hamiltonian H at each state [N], in the states' dtype, differentiable with respect to them.</summary>
    public Tensor Hamiltonian(Tensor x)
    {
        using var scope = NewDisposeScope();
        return hamiltonian.Value(x.to_type(ComputeType)).to_type(x.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// dx/dt = M·∇H (plus ∇D for the dissipative model) in closed form, computed in <see cref="ComputeType"/> and
    /// returned in the dtype of <paramref name="x"/>. With <paramref name="createGraph"/> the result keeps its graph to
    /// the states (there are no trained weights to differentiate for); without, it is computed without one.
    /// </summary>
    public override Tensor TimeDerivative(Tensor x, bool createGraph)
    {
        using var scope = NewDisposeScope();
        using var gradMode = createGraph ? enable_grad() : no_grad();
        return Field(x.to_type(ComputeType)).to_type(x.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>The field for states already in <see cref="ComputeType"/>.</summary>
    private protected virtual Tensor Field(Tensor x) => Symplectic(hamiltonian.Gradient(x));

    /// <summary>M·g for gradients g [N, D].</summary>
    private protected Tensor Symplectic(Tensor gradient) => gradient.matmul(structureTransposed);

    /// <summary>The structure matrix M [D, D] in <see cref="ComputeType"/>.</summary>
    internal Tensor Structure => structureTransposed.t();
}

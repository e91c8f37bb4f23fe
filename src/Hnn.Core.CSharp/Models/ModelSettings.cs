namespace Hnn.Models;

/// <summary>Which vector field a <see cref="HamiltonianNet"/> produces from its two scalar outputs (F1, F2).</summary>
public enum FieldType
{
    /// <summary>dx/dt = M·∇F2: energy-conserving; F2 is the learned Hamiltonian (the paper's default).</summary>
    Solenoidal,

    /// <summary>dx/dt = ∇F1: curl-free.</summary>
    Conservative,

    /// <summary>The sum of both (a Helmholtz decomposition).</summary>
    Both,
}

/// <summary>The kinds of model this library trains.</summary>
public enum ModelKind
{
    /// <summary>An MLP whose output is dx/dt.</summary>
    Baseline,

    /// <summary>A Hamiltonian neural network.</summary>
    Hnn,

    /// <summary>
    /// A dissipative HNN (Sosanya &amp; Greydanus 2022): a learned Hamiltonian H and dissipation D, field M·∇H + ∇D.
    /// </summary>
    DissipativeHnn,

    /// <summary>
    /// A sampled HNN (Rahma, Datar &amp; Dietrich 2024): one hidden layer whose weights are drawn, not trained
    /// (<see cref="Sampled.LayerSampler"/>), and whose output layer is solved by linear least squares
    /// (<see cref="Sampled.SampledFit"/>). <see cref="ModelSettings.HiddenDim"/> is its width.
    /// </summary>
    SampledHnn,

    /// <summary>The sampled counterpart of <see cref="DissipativeHnn"/>: sampled H and D, field M·∇H + ∇D, solved by least squares.</summary>
    SampledDissipativeHnn,

    /// <summary>
    /// A port-Hamiltonian network (after SINTEF's pseudo-Hamiltonian networks): field (J − R)∇H with R = LLᵀ positive
    /// semi-definite acting on the momenta, so it cannot create energy (<see cref="PortHamiltonian.PortHamiltonianNet"/>).
    /// </summary>
    PortHnn,

    /// <summary>
    /// A Lagrangian neural network (Cranmer et al. 2020): a learned L(q, q̇), accelerations from the Euler–Lagrange
    /// equations; its states are velocity coordinates (q, q̇) (<see cref="Lagrangian.LagrangianNet"/>).
    /// </summary>
    Lnn,

    /// <summary>
    /// An LA-SympNet (Jin et al. 2020): a step map x(t) → x(t + h), symplectic by construction, of linear and activation
    /// modules (<see cref="SympNets.LaSympNet"/>). Needs <see cref="ModelSettings.StepSize"/>.
    /// </summary>
    LaSympNet,

    /// <summary>
    /// A G-SympNet (Jin et al. 2020): a step map x(t) → x(t + h), symplectic by construction, of gradient modules of
    /// width <see cref="ModelSettings.HiddenDim"/> (<see cref="SympNets.GSympNet"/>). Needs <see cref="ModelSettings.StepSize"/>.
    /// </summary>
    GSympNet,

    /// <summary>
    /// A deep Lagrangian network (Lutter et al. 2019): L = ½q̇ᵀM(q)q̇ − V(q) with M positive definite by construction,
    /// accelerations from the Euler–Lagrange equations; its states are velocity coordinates (q, q̇)
    /// (<see cref="Lagrangian.DeepLagrangianNet"/>).
    /// </summary>
    Delan,
}

/// <summary>Everything needed to rebuild a model's architecture; saved beside its weights.</summary>
/// <param name="Kind">Baseline, HNN, dissipative HNN, one of their sampled counterparts, or a family beyond the HNN
/// (port-Hamiltonian, Lagrangian, SympNets).</param>
/// <param name="InputDim">State dimension (2·degrees of freedom).</param>
/// <param name="HiddenDim">Width of the two hidden layers (paper: 200); for a sampled model, the width of its one hidden
/// layer; for a G-SympNet, the width of each gradient module; unused by an LA-SympNet.</param>
/// <param name="Nonlinearity">Hidden-layer nonlinearity (paper: tanh); a sampled model takes tanh or sigmoid; a
/// Lagrangian network needs second derivatives, so not ReLU (see <see cref="Default"/> for each family's own).</param>
/// <param name="Field">For HNNs, which field to produce (a dissipative HNN always produces both).</param>
/// <param name="CanonicalCoordinates">For HNNs, M = [[0, I], [−I, 0]] if true, else the antisymmetric alternative.</param>
/// <param name="MomentumSymmetric">
/// For HNNs (beyond the paper): learn H(q, p) = ½(F(q, p) + F(q, −p)), even in p, so the learned flow is
/// time-reversible under a momentum flip by construction, as the flow of every H = T(p²) + V(q) is.
/// </param>
/// <param name="StepSize">
/// For a step map (the SympNets): the time h of one step, in the data's time units (null for every vector field). A map
/// learns x(t) → x(t + h) from consecutive states h apart and is evaluated at multiples of h.
/// </param>
/// <param name="RelativeRidge">
/// For a Lagrangian network: μ ≥ 0 of the part of the Euler–Lagrange solve's ridge that follows the velocity Hessian's
/// own scale (<see cref="Lagrangian.EulerLagrange.FromGradient"/>); 0 for every other kind. <see cref="Default"/> gives
/// an LNN <see cref="Lagrangian.LagrangianNet.RelativeRidge"/>; model files written before it existed read as 0, so
/// their motion is what it was.
/// </param>
/// <param name="Layers">
/// For a SympNet: how many modules it composes (an LA-SympNet's linear modules, with activation modules between them; a
/// G-SympNet's gradient modules); null for every other kind. <see cref="Default"/> gives each SympNet its default depth;
/// model files written before the depth was a setting read as null, the depth they were built with
/// (<see cref="SympNets.LaSympNet.FormerLayers"/>, <see cref="SympNets.GSympNet.FormerLayers"/>).
/// </param>
public sealed record ModelSettings(
    ModelKind Kind,
    int InputDim,
    int HiddenDim = 200,
    Nonlinearity Nonlinearity = Nonlinearity.Tanh,
    FieldType Field = FieldType.Solenoidal,
    bool CanonicalCoordinates = true,
    bool MomentumSymmetric = false,
    double? StepSize = null,
    double RelativeRidge = 0,
    int? Layers = null
)
{
    /// <summary>Whether models of this kind are step maps (<see cref="SympNets.StepMap"/>) rather than vector fields.</summary>
    public static bool IsStepMap(ModelKind kind) => kind is ModelKind.LaSympNet or ModelKind.GSympNet;

    /// <summary>
    /// Whether models of this kind are fitted by least squares on a sampled hidden layer (<see cref="Sampled.SampledFit"/>)
    /// rather than trained.
    /// </summary>
    public static bool IsSampled(ModelKind kind) => kind is ModelKind.SampledHnn or ModelKind.SampledDissipativeHnn;

    /// <summary>Whether models of this kind take a <see cref="RelativeRidge"/>: the Lagrangian network only.</summary>
    public static bool HasRelativeRidge(ModelKind kind) => kind == ModelKind.Lnn;

    /// <summary>
    /// The settings a family is built with by default: the paper's MLP (200 hidden, tanh) for the HNN family and the
    /// baseline; softplus for a Lagrangian network (smooth, with second derivatives that do not vanish, as Cranmer et
    /// al. use); sigmoid for the SympNets (as Jin et al.). A step map's <see cref="StepSize"/> comes from its data
    /// (<see cref="Training.TrainingInputs"/>).
    /// </summary>
    public static ModelSettings Default(ModelKind kind, int inputDim, bool momentumSymmetric = false) =>
        kind switch
        {
            ModelKind.Lnn => new(
                kind,
                inputDim,
                Nonlinearity: Nonlinearity.Softplus,
                MomentumSymmetric: momentumSymmetric,
                RelativeRidge: Lagrangian.LagrangianNet.RelativeRidge
            ),
            ModelKind.LaSympNet or ModelKind.GSympNet => new(
                kind,
                inputDim,
                Nonlinearity: Nonlinearity.Sigmoid,
                MomentumSymmetric: momentumSymmetric,
                Layers: kind == ModelKind.LaSympNet ? SympNets.LaSympNet.DefaultLayers : SympNets.GSympNet.DefaultLayers
            ),
            _ => new(kind, inputDim, MomentumSymmetric: momentumSymmetric),
        };

    /// <summary>
    /// Whether models of this kind have hidden layers whose width <see cref="HiddenDim"/> is chosen before training: every
    /// trained kind but the LA-SympNet (linear and activation modules only). A sampled model's width is its fit's choice
    /// (<see cref="Sampled.SampledSettings.Width"/>).
    /// </summary>
    public static bool HasHiddenWidth(ModelKind kind) => !IsSampled(kind) && kind != ModelKind.LaSympNet;

    /// <summary>
    /// These settings with the hidden width, the relative ridge and the depth replaced where given (null keeps the
    /// value), for a run that overrides a family's <see cref="Default"/>; <see cref="Validate"/> checks the result.
    /// </summary>
    public ModelSettings Overriding(int? hiddenDim, double? relativeRidge, int? layers = null) =>
        this with
        {
            HiddenDim = hiddenDim ?? HiddenDim,
            RelativeRidge = relativeRidge ?? RelativeRidge,
            Layers = layers ?? Layers,
        };

    /// <summary>
    /// A SympNet's depth: <see cref="Layers"/>, or for settings without it (model files written before it existed) the
    /// depth the family had then.
    /// </summary>
    /// <exception cref="InvalidOperationException">The kind is not a SympNet.</exception>
    public int SympNetLayers() =>
        Kind switch
        {
            ModelKind.LaSympNet => Layers ?? SympNets.LaSympNet.FormerLayers,
            ModelKind.GSympNet => Layers ?? SympNets.GSympNet.FormerLayers,
            _ => throw new InvalidOperationException($"a {Kind} model has no SympNet depth"),
        };

    /// <summary>Checks sizes; the message names the bad value.</summary>
    /// <exception cref="ArgumentException">
    /// A size is not positive, an HNN's state dimension is odd, or a sampled model has an activation it cannot sample.
    /// </exception>
    public ModelSettings Validate()
    {
        if (InputDim < 1)
            throw new ArgumentException($"input dimension must be positive, got {InputDim}");
        if (HiddenDim < 1)
            throw new ArgumentException($"hidden dimension must be positive, got {HiddenDim}");
        bool sampled = IsSampled(Kind);
        if (sampled)
            Sampled.SampledActivation.Check(Nonlinearity);
        bool hamiltonian = sampled || Kind is ModelKind.Hnn or ModelKind.DissipativeHnn;
        if (hamiltonian && MomentumSymmetric && InputDim % 2 != 0)
            throw new ArgumentException($"a momentum-symmetric HNN needs an even state dimension (q, p), got {InputDim}");
        if (hamiltonian && Field != FieldType.Conservative && CanonicalCoordinates && InputDim % 2 != 0)
            throw new ArgumentException($"a canonical HNN needs an even state dimension (q, p), got {InputDim}");
        bool paired = Kind is ModelKind.PortHnn or ModelKind.Lnn or ModelKind.Delan || IsStepMap(Kind);
        if (paired && InputDim % 2 != 0)
            throw new ArgumentException(
                $"a {Kind} model needs an even state dimension (positions and momenta or velocities), got {InputDim}"
            );
        if (Kind == ModelKind.Lnn && Nonlinearity == Nonlinearity.Relu)
            throw new ArgumentException(
                "a Lagrangian network needs second derivatives of its MLP, which ReLU does not have (use softplus)"
            );
        if (IsStepMap(Kind) && !(StepSize is double h && h > 0 && double.IsFinite(h)))
            throw new ArgumentException(
                $"a {Kind} step map needs a positive, finite step size, got {(StepSize is double v ? v.ToString("R") : "none")}"
            );
        if (!IsStepMap(Kind) && StepSize is not null)
            throw new ArgumentException($"a step size applies to step maps only, not to a {Kind} model");
        if (!(RelativeRidge >= 0 && double.IsFinite(RelativeRidge)))
            throw new ArgumentException($"the relative ridge must be zero or positive and finite, got {RelativeRidge:R}");
        if (Layers is int layers && layers < 1)
            throw new ArgumentException($"a SympNet needs at least 1 layer, got {layers}");
        if (Layers is not null && !IsStepMap(Kind))
            throw new ArgumentException($"layers apply to SympNets only, not to a {Kind} model");
        if (!HasRelativeRidge(Kind) && RelativeRidge != 0)
            throw new ArgumentException($"a relative ridge applies to Lagrangian networks only, not to a {Kind} model");
        return this;
    }
}

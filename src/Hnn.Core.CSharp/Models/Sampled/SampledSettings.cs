using System.Text.Json.Serialization;

namespace Hnn.Models.Sampled;

/// <summary>How to sample and fit a sampled HNN (<see cref="SampledFit.Fit"/>).</summary>
/// <param name="Kind"><see cref="ModelKind.SampledHnn"/> or <see cref="ModelKind.SampledDissipativeHnn"/>.</param>
/// <param name="Width">
/// Neurons sampled per learned function (H, and D for the dissipative model); the largest width tried. The fit's
/// cost grows as Width³ (the eigendecompositions) plus states · Width² (the normal equations).
/// </param>
/// <param name="Sampler">
/// Auto (the default: ELM, uniform SWIM and A-SWIM compared at <paramref name="ComparisonWidth"/>, the one with the
/// lowest validation error then fitted at <paramref name="Width"/>, and ELM too if it lost), ELM, uniform SWIM, SWIM (needs
/// the true H) or A-SWIM. Which one wins depends on H: ELM's smooth features generalise best on smooth H (noise-free
/// Hénon–Heiles: test relative field MSE 4e-10 against 1e-3 for A-SWIM, whose pairs of neighbouring trajectory states
/// make steep, local neurons), SWIM's steep neurons on steep H (two-body gravity: A-SWIM's test loss 2.4e-6 against
/// ELM's 1.2e-4).
/// </param>
/// <param name="Activation">tanh or sigmoid.</param>
/// <param name="WidthChoices">
/// Smaller widths to try beside <paramref name="Width"/>, as leading subsets of the one sampled layer (a prefix of an
/// i.i.d. sample is a sample of that width), chosen on the validation split; null for Width/8, Width/4 and Width/2,
/// empty for <paramref name="Width"/> alone.
/// </param>
/// <param name="Ridges">
/// Ridge strengths λ to choose from on the validation split; null for every decade from 1e-13 to 1e-1. λ is relative:
/// the normal equations are scaled to a unit diagonal before λ is added, so the penalty on each neuron is λ times its
/// own squared column norm, the same at every data scale, state count and width.
/// </param>
/// <param name="ValidationFraction">
/// Share of the training states held out to choose the width and λ (then the final fit uses them all); 0 only when there
/// is nothing to choose (one ridge, one width).
/// </param>
/// <param name="MaxStates">
/// At most this many training states are used, drawn at random when there are more (the report says so). The fit's
/// cost grows with them and its error stops falling well before the orbit tasks' 40 000 and 80 000: on two-body
/// (auto, width 400) the test loss was 3.5e-5, 3.4e-5, 1.6e-5, 2.3e-5 and 3.1e-5 at 2 500, 5 000, 10 000, 20 000 and
/// 40 000 states, the fit's time rising about fourfold; on three-body 1.26, 1.26 and 1.21 at 5 000, 10 000 and 20 000.
/// </param>
/// <param name="CanonicalCoordinates">M = [[0, I], [−I, 0]] if true, else the reference's antisymmetric alternative.</param>
/// <param name="MomentumSymmetric">Fit H(q, p) = ½(F(q, p) + F(q, −p)) (and D likewise), reversible under a momentum flip by construction.</param>
/// <param name="ElmScale">
/// For ELM, the spread of each neuron's pre-activation over the data (<see cref="LayerSampling.Elm"/>): small makes
/// smooth, nearly polynomial features. 0.05 suited every task measured (noise-free Hénon–Heiles, the noisy spring and
/// pendulum); 0.014 was too ill-conditioned for the pendulum, 0.6 too rough for Hénon–Heiles.
/// </param>
/// <param name="ComparisonWidth">
/// For <see cref="LayerSampler.Auto"/>, the width at which the three samplers are compared (each on the leading
/// neurons of its own full-width layer, with every λ) before the winner (and ELM, if it lost) is fitted at
/// <paramref name="Width"/> with every width choice; null for Width/4. At Width/8 uniform SWIM beat ELM on the noisy
/// pendulum (4.68e-3 against 5.65e-3, seed 0), so both had to be fitted in full; at Width/4 ELM won there already.
/// </param>
public sealed record SampledSettings(
    ModelKind Kind = ModelKind.SampledHnn,
    int Width = 400,
    LayerSampler Sampler = LayerSampler.Auto,
    Nonlinearity Activation = Nonlinearity.Tanh,
    int[]? WidthChoices = null,
    double[]? Ridges = null,
    double ValidationFraction = 0.2,
    int MaxStates = 10_000,
    bool CanonicalCoordinates = true,
    bool MomentumSymmetric = false,
    double ElmScale = 0.05,
    int? ComparisonWidth = null
)
{
    /// <summary>
    /// The largest width accepted: the normal equations hold (parts · Width)² float64 numbers, 512 MB for a dissipative
    /// model of this width.
    /// </summary>
    public const int MaxWidth = 4096;

    /// <summary>The ridge strengths tried when <see cref="Ridges"/> is null: 1e-13, 1e-12, …, 1e-1.</summary>
    public static IReadOnlyList<double> DefaultRidges { get; } = Enumerable.Range(1, 13).Select(k => Math.Pow(10, -k)).Reverse().ToArray();

    /// <summary>The widths tried, ascending, <see cref="Width"/> last.</summary>
    [JsonIgnore]
    public IReadOnlyList<int> WidthCandidates =>
        (WidthChoices ?? [Width / 8, Width / 4, Width / 2]).Where(w => w >= 1).Append(Width).Distinct().Order().ToArray();

    /// <summary>The width at which <see cref="LayerSampler.Auto"/> compares the samplers: <see cref="ComparisonWidth"/> or Width/4 (at least 1).</summary>
    [JsonIgnore]
    public int ComparedWidth => ComparisonWidth ?? Math.Max(1, Width / 4);

    /// <summary>The ridge strengths tried, as given or <see cref="DefaultRidges"/>.</summary>
    [JsonIgnore]
    public IReadOnlyList<double> RidgeCandidates => Ridges ?? DefaultRidges;

    /// <summary>True for the dissipative model.</summary>
    [JsonIgnore]
    public bool Dissipative => Kind == ModelKind.SampledDissipativeHnn;

    /// <summary>These settings for a model of <paramref name="kind"/>, momentum-symmetric or not (what a run decides).</summary>
    public SampledSettings ForModel(ModelKind kind, bool momentumSymmetric) =>
        this with
        {
            Kind = kind,
            MomentumSymmetric = momentumSymmetric,
        };

    /// <summary>These settings with another width (the largest tried; <see cref="WidthChoices"/> as they are).</summary>
    public SampledSettings WithWidth(int width) => this with { Width = width };

    /// <summary>These settings with another sampler.</summary>
    public SampledSettings WithSampler(LayerSampler sampler) => this with { Sampler = sampler };

    /// <summary>The architecture of a model of this kind with the given input dimension and width.</summary>
    public ModelSettings Model(int inputDim, int width) =>
        new(
            Kind,
            inputDim,
            width,
            Activation,
            Dissipative ? FieldType.Both : FieldType.Solenoidal,
            CanonicalCoordinates,
            MomentumSymmetric
        );

    /// <summary>Checks every value; the message names the bad one.</summary>
    /// <exception cref="ArgumentException">A value is out of range or the combination cannot work.</exception>
    public SampledSettings Validate()
    {
        if (!ModelSettings.IsSampled(Kind))
            throw new ArgumentException($"a sampled fit makes sampled models (sampled-hnn or sampled-dissipative-hnn), got {Kind}");
        if (Width < 1 || Width > MaxWidth)
            throw new ArgumentException($"width must be in 1..{MaxWidth}, got {Width}");
        if (!Enum.IsDefined(Sampler))
            throw new ArgumentException($"unknown sampler {Sampler}");
        SampledActivation.Check(Activation);
        if (!(ElmScale > 0 && double.IsFinite(ElmScale)))
            throw new ArgumentException($"the ELM scale must be positive and finite, got {ElmScale}");
        foreach (var w in WidthChoices ?? [])
            if (w < 1 || w > Width)
                throw new ArgumentException($"width choices must be in 1..{Width} (the width), got {w}");
        if (ComparisonWidth is int compared && (compared < 1 || compared > Width))
            throw new ArgumentException($"the comparison width must be in 1..{Width} (the width), got {compared}");
        if (Ridges is { Length: 0 })
            throw new ArgumentException("ridges must list at least one λ (or be left out for the default decades)");
        foreach (var r in Ridges ?? [])
            if (!(r > 0 && double.IsFinite(r)))
                throw new ArgumentException($"ridge λ must be positive and finite, got {r}");
        if (!(ValidationFraction >= 0 && ValidationFraction <= 0.5))
            throw new ArgumentException($"validation fraction must be in [0, 0.5], got {ValidationFraction}");
        if (ValidationFraction == 0 && (WidthCandidates.Count > 1 || RidgeCandidates.Count > 1 || Sampler == LayerSampler.Auto))
            throw new ArgumentException(
                $"a validation fraction of 0 leaves nothing to choose the width, ridge or sampler on ({WidthCandidates.Count} widths, {RidgeCandidates.Count} ridges, sampler {Sampler}): give one ridge, empty width choices and a sampler other than auto"
            );
        if (MaxStates < 2)
            throw new ArgumentException($"max states must be at least 2, got {MaxStates}");
        if (Sampler == LayerSampler.Swim && Dissipative)
            throw new ArgumentException("the swim sampler needs the true H and D; for a sampled dissipative HNN use a-swim");
        return this;
    }
}

using System.Text.Json.Serialization;

namespace Hnn.Models.Sampled;

/// <summary>One (width, λ) pair tried on the validation split.</summary>
/// <param name="Width">Neurons per learned function.</param>
/// <param name="Ridge">Relative ridge λ.</param>
/// <param name="ValidationError">Relative field MSE on the held-out states.</param>
public sealed record SampledCandidate(int Width, double Ridge, double ValidationError);

/// <summary>
/// A sampler compared by <see cref="LayerSampler.Auto"/> at <see cref="SampledFitReport.ComparisonWidth"/>, with its
/// best λ there, and its full-width fit's validation error if it had one.
/// </summary>
/// <param name="Sampler">ELM, uniform SWIM or A-SWIM.</param>
/// <param name="ValidationError">Relative field MSE on the held-out states at the comparison width and that λ.</param>
/// <param name="Ridge">The relative ridge λ; null in model files written before it was recorded.</param>
/// <param name="FullWidthValidationError">
/// For the samplers then fitted with every width candidate (the comparison's winner, and ELM), the validation error of
/// that fit's best candidate; else null (and null in model files written before it was recorded).
/// </param>
public sealed record SamplerCandidate(
    LayerSampler Sampler,
    double ValidationError,
    double? Ridge = null,
    double? FullWidthValidationError = null
);

/// <summary>What a sampled fit chose and measured.</summary>
/// <param name="Kind">The model kind fitted.</param>
/// <param name="Sampler">How its hidden layers were drawn (for <see cref="LayerSampler.Auto"/>, the sampler it chose).</param>
/// <param name="Width">The chosen width (neurons per learned function) of the final, full-width stage.</param>
/// <param name="Ridge">The chosen relative ridge λ.</param>
/// <param name="ValidationError">
/// Relative field MSE Σ|f(x) − ẋ|² / Σ|ẋ|² on the held-out states of the chosen candidate, fitted without them (NaN
/// with no validation split).
/// </param>
/// <param name="TrainingError">
/// Relative field MSE of the final model on every state it was fitted on, from the normal equations (cᵀGc − 2cᵀr + yᵀy,
/// so below about 1e-14 it is round-off).
/// </param>
/// <param name="StatesAvailable">Training states in the dataset.</param>
/// <param name="StatesUsed">States used: all of them, or <see cref="SampledSettings.MaxStates"/> drawn at random.</param>
/// <param name="ValidationStates">States of <paramref name="StatesUsed"/> held out to choose width and λ (the final fit uses them too).</param>
/// <param name="ValidationByTrajectory">True when the held-out states are whole trajectories, false when they are single states.</param>
/// <param name="Seconds">Wall time of the whole fit (sampling, every stage, the choices and the final solve).</param>
/// <param name="FirstStageValidationError">
/// For A-SWIM, the validation error of the uniform-SWIM fit whose Ĥ drew its pairs: a fit of the full width, or for
/// <see cref="LayerSampler.Auto"/> the one compared at <paramref name="ComparisonWidth"/>; else null.
/// </param>
/// <param name="Candidates">Every (width, λ) tried in the chosen sampler's full-width stage, with its validation error.</param>
/// <param name="Samplers">For <see cref="LayerSampler.Auto"/>, every sampler compared, at <paramref name="ComparisonWidth"/>; else empty.</param>
/// <param name="ComparisonWidth">
/// For <see cref="LayerSampler.Auto"/>, the width at which the samplers were compared (<see cref="SampledSettings.ComparedWidth"/>)
/// before the winner (and ELM) were fitted with every width up to the full one; else null. Null too in model files
/// written before it was recorded, when Auto fitted every sampler at the full width.
/// </param>
public sealed record SampledFitReport(
    ModelKind Kind,
    LayerSampler Sampler,
    int Width,
    double Ridge,
    double ValidationError,
    double TrainingError,
    int StatesAvailable,
    int StatesUsed,
    int ValidationStates,
    bool ValidationByTrajectory,
    double Seconds,
    double? FirstStageValidationError,
    IReadOnlyList<SampledCandidate> Candidates,
    IReadOnlyList<SamplerCandidate> Samplers,
    int? ComparisonWidth = null
)
{
    /// <summary>True when only some of the training states were used.</summary>
    [JsonIgnore]
    public bool Subsampled => StatesUsed < StatesAvailable;

    /// <summary>One line for logs and reports.</summary>
    public override string ToString()
    {
        var states = Subsampled
            ? $"the {StatesUsed} of {StatesAvailable} training states drawn (subsampled)"
            : $"all {StatesAvailable} training states";
        var first = FirstStageValidationError is double f
            ? $" (first stage {f:0.00e+00}{(Samplers.Count > 0 && ComparisonWidth is int w ? $" at width {w}" : "")})"
            : "";
        var full = Samplers.Where(s => s.FullWidthValidationError is not null).ToArray();
        var choice =
            Samplers.Count == 0 ? ""
            : ComparisonWidth is int compared
                ? $" (auto: compared at width {compared}: "
                    + string.Join(", ", Samplers.Select(Compared))
                    + $"; then at widths up to {(Candidates.Count > 0 ? Candidates.Max(c => c.Width) : Width)}: "
                    + string.Join(", ", full.Select(s => $"{s.Sampler} {s.FullWidthValidationError:0.00e+00}"))
                    + ")"
            : " (auto, of " + string.Join(", ", Samplers.Select(Compared)) + ")";
        return $"{Kind} by {Sampler}{choice}: width {Width}, λ {Ridge:0e+00}; relative field MSE {ValidationError:0.00e+00} on {ValidationStates} held-out states{(ValidationByTrajectory ? " of whole trajectories" : "")}{first}, "
            + $"{TrainingError:0.00e+00} on {states}; {Seconds:0.00} s";
    }

    static string Compared(SamplerCandidate s) =>
        $"{s.Sampler} {s.ValidationError:0.00e+00}" + (s.Ridge is double r ? $" (λ {r:0e+00})" : "");
}

/// <summary>A fitted sampled model and its report.</summary>
/// <param name="Model">A <see cref="SampledHnn"/> or <see cref="SampledDissipativeHnn"/>, in eval mode (the caller disposes it).</param>
/// <param name="Report">What was chosen and measured.</param>
public sealed record SampledFitResult(SampledHnn Model, SampledFitReport Report);

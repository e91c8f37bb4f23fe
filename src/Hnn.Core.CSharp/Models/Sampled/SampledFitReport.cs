using System.Text.Json.Serialization;

namespace Hnn.Models.Sampled;

/// <summary>One (width, λ) pair tried on the validation split.</summary>
/// <param name="Width">Neurons per learned function.</param>
/// <param name="Ridge">Relative ridge λ.</param>
/// <param name="ValidationError">Relative field MSE on the held-out states.</param>
public sealed record SampledCandidate(int Width, double Ridge, double ValidationError);

/// <summary>A sampler tried by <see cref="LayerSampler.Auto"/>, with the validation error of its best candidate.</summary>
/// <param name="Sampler">ELM, uniform SWIM or A-SWIM.</param>
/// <param name="ValidationError">Relative field MSE on the held-out states.</param>
public sealed record SamplerCandidate(LayerSampler Sampler, double ValidationError);

/// <summary>What a sampled fit chose and measured.</summary>
/// <param name="Kind">The model kind fitted.</param>
/// <param name="Sampler">How its hidden layers were drawn (for <see cref="LayerSampler.Auto"/>, the sampler it chose).</param>
/// <param name="Width">The chosen width (neurons per learned function).</param>
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
/// <param name="Seconds">Wall time of the whole fit (sampling, both stages for A-SWIM, the choice and the final solve).</param>
/// <param name="FirstStageValidationError">For A-SWIM, the validation error of its first (uniform-pair) fit; else null.</param>
/// <param name="Candidates">Every (width, λ) tried in the chosen sampler's final stage, with its validation error.</param>
/// <param name="Samplers">For <see cref="LayerSampler.Auto"/>, every sampler tried; else empty.</param>
public sealed record SampledFitReport(
    ModelKind Kind, LayerSampler Sampler, int Width, double Ridge, double ValidationError, double TrainingError,
    int StatesAvailable, int StatesUsed, int ValidationStates, bool ValidationByTrajectory, double Seconds, double? FirstStageValidationError,
    IReadOnlyList<SampledCandidate> Candidates, IReadOnlyList<SamplerCandidate> Samplers)
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
        var first = FirstStageValidationError is double f ? $" (first stage {f:0.00e+00})" : "";
        var choice = Samplers.Count > 0
            ? " (auto, of " + string.Join(", ", Samplers.Select(s => $"{s.Sampler} {s.ValidationError:0.00e+00}")) + ")"
            : "";
        return $"{Kind} by {Sampler}{choice}: width {Width}, λ {Ridge:0e+00}; relative field MSE {ValidationError:0.00e+00} on {ValidationStates} held-out states{(ValidationByTrajectory ? " of whole trajectories" : "")}{first}, "
            + $"{TrainingError:0.00e+00} on {states}; {Seconds:0.00} s";
    }
}

/// <summary>A fitted sampled model and its report.</summary>
/// <param name="Model">A <see cref="SampledHnn"/> or <see cref="SampledDissipativeHnn"/>, in eval mode (the caller disposes it).</param>
/// <param name="Report">What was chosen and measured.</param>
public sealed record SampledFitResult(SampledHnn Model, SampledFitReport Report);

namespace Hnn.Models.Sampled;

/// <summary>How a sampled network's hidden layer is drawn (Rahma, Datar &amp; Dietrich 2024).</summary>
public enum LayerSampler
{
    /// <summary>Extreme learning machine: data-agnostic random weights and biases (<see cref="LayerSampling.Elm"/>).</summary>
    Elm,

    /// <summary>SWIM with uniformly drawn pairs of states: no function values needed (<see cref="LayerSampling.Swim"/>).</summary>
    UniformSwim,

    /// <summary>
    /// SWIM with pairs drawn ∝ |H(x2) − H(x1)| / |x2 − x1| from the true H, which the fit must be given (the paper's
    /// oracle setting; a sampled HNN only).
    /// </summary>
    Swim,

    /// <summary>
    /// Approximate SWIM: a first fit with uniform pairs, then SWIM with pairs ∝ |Ĥ(x2) − Ĥ(x1)| / |x2 − x1| of that
    /// fit's Ĥ (and D̂ for the dissipation's layer), since H itself is not observed; then the final fit.
    /// </summary>
    ASwim,

    /// <summary>
    /// Compare ELM, uniform SWIM and A-SWIM (guided by that uniform-SWIM fit's Ĥ) on narrower fits of their leading
    /// neurons (<see cref="SampledSettings.ComparedWidth"/>), then fit the one with the lowest validation error at the
    /// full width (and ELM as well if a SWIM sampler won, keeping the better): for data whose H may be smooth (ELM's
    /// strength) or steep (SWIM's: gravity's 1/r), at little more than one fit's time when ELM wins, two when not.
    /// </summary>
    Auto,
}

/// <summary>Naming <see cref="LayerSampler"/> values as the command line and the sweep settings do.</summary>
public static class LayerSamplers
{
    /// <summary>The lower-case, hyphenated name: auto, elm, uniform-swim, swim, a-swim.</summary>
    public static string Name(this LayerSampler sampler) =>
        sampler switch
        {
            LayerSampler.UniformSwim => "uniform-swim",
            LayerSampler.ASwim => "a-swim",
            _ => sampler.ToString().ToLowerInvariant(),
        };

    /// <summary>Parses a name written by <see cref="Name"/>; the error lists the valid ones.</summary>
    /// <exception cref="ArgumentException">The name is not a known sampler.</exception>
    public static LayerSampler Parse(string name) =>
        Enum.GetValues<LayerSampler>().Where(s => s.Name() == name).Select(s => (LayerSampler?)s).FirstOrDefault()
        ?? throw new ArgumentException(
            $"unknown sampler '{name}' (expected one of: {string.Join(", ", Enum.GetValues<LayerSampler>().Select(s => s.Name()))})"
        );
}

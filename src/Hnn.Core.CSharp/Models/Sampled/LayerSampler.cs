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
}

namespace Hnn.Integrators;

/// <summary>
/// Adaptive step control: the settings of an adaptive solve, for a method that can adapt
/// (<see cref="ButcherTableau.CanAdapt"/>: an embedded pair with a dense output). Tolerances mean what they mean in scipy's solve_ivp: a step is
/// accepted when the RMS over components of err / (atol + rtol·max(|y_old|, |y_new|)) is at most 1.
/// Step sizes follow a PI controller (Hairer, Nørsett &amp; Wanner, Solving ODEs I, §II.4 and IV.2;
/// Gustafsson 1991): h_new = h·safety·err^−(1/(q+1) − ¾β)·err_prev^β, clamped to [MinFactor, MaxFactor],
/// and not allowed to grow right after a rejected step.
/// </summary>
/// <param name="RelativeTolerance">rtol, positive.</param>
/// <param name="AbsoluteTolerance">atol, positive.</param>
/// <param name="Safety">Safety factor on the predicted step (0, 1].</param>
/// <param name="MinFactor">Smallest step-size change per step (0, 1).</param>
/// <param name="MaxFactor">Largest step-size growth per step, above 1.</param>
/// <param name="PiBeta">β of the PI controller; 0 gives the classic I controller.</param>
/// <param name="MaxSteps">Cap on attempted steps per trajectory.</param>
/// <param name="Parallel">Integrate trajectories on several threads (the field is then called concurrently); float64 back end only.</param>
public sealed record AdaptiveSettings(
    double RelativeTolerance = 1e-3,
    double AbsoluteTolerance = 1e-6,
    double Safety = 0.9,
    double MinFactor = 0.2,
    double MaxFactor = 10,
    double PiBeta = 0.04,
    int MaxSteps = 1_000_000,
    bool Parallel = true
) : StepControl
{
    /// <summary>Checks every value; the message names the bad one.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public AdaptiveSettings Validate()
    {
        if (!(RelativeTolerance > 0) || double.IsInfinity(RelativeTolerance))
            throw new ArgumentException($"rtol must be positive and finite, got {RelativeTolerance}", "rtol");
        if (!(AbsoluteTolerance > 0) || double.IsInfinity(AbsoluteTolerance))
            throw new ArgumentException($"atol must be positive and finite, got {AbsoluteTolerance}", "atol");
        if (!(Safety > 0 && Safety <= 1))
            throw new ArgumentException($"safety must be in (0, 1], got {Safety}", nameof(Safety));
        if (!(MinFactor > 0 && MinFactor < 1))
            throw new ArgumentException($"min factor must be in (0, 1), got {MinFactor}", nameof(MinFactor));
        if (!(MaxFactor > 1) || double.IsInfinity(MaxFactor))
            throw new ArgumentException($"max factor must be finite and above 1, got {MaxFactor}", nameof(MaxFactor));
        if (!(PiBeta >= 0 && PiBeta < 0.2))
            throw new ArgumentException($"PI beta must be in [0, 0.2), got {PiBeta}", nameof(PiBeta));
        if (MaxSteps < 1)
            throw new ArgumentException($"max steps must be positive, got {MaxSteps}", nameof(MaxSteps));
        return this;
    }
}

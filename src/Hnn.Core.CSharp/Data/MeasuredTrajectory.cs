namespace Hnn.Data;

/// <summary>A measured trajectory: states [T, D] at increasing times (e.g. the real pendulum's test span).</summary>
/// <param name="Times">Measurement times, strictly increasing.</param>
/// <param name="States">The measured states, one row per time.</param>
public sealed record MeasuredTrajectory(double[] Times, StateMatrix States);

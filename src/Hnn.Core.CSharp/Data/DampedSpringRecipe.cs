using Hnn.Systems;

namespace Hnn.Data;

/// <summary>
/// A damped mass-spring (beyond the paper; the check of a dissipative model): the spring task's sizes and noise,
/// with friction −γ·p on dp/dt (see <see cref="DampedMassSpring"/>), so a learned dissipation can be compared with
/// the known γ.
/// </summary>
/// <param name="Damping">The friction coefficient γ.</param>
/// <param name="Trajectories">Number of trajectories (as the spring task: 50).</param>
/// <param name="Points">Samples per trajectory over [0, TimeSpan], both ends included (30).</param>
/// <param name="TimeSpan">End time (3).</param>
/// <param name="RadiusMin">Smallest start radius (0.1).</param>
/// <param name="RadiusMax">Largest start radius (1.0).</param>
/// <param name="NoiseStd">Gaussian noise added to q and p inputs, not to targets (0.1).</param>
/// <param name="TestFraction">Fraction of trajectories, taken last, used for testing (0.5).</param>
/// <param name="Seed">Random seed.</param>
public sealed record DampedSpringRecipe(
    double Damping = 0.2,
    int Trajectories = 50,
    int Points = 30,
    double TimeSpan = 3.0,
    double RadiusMin = 0.1,
    double RadiusMax = 1.0,
    double NoiseStd = 0.1,
    double TestFraction = 0.5,
    int Seed = 0
)
{
    /// <summary>The system the data comes from.</summary>
    public DampedMassSpring System => new(Damping);

    /// <summary>
    /// Generates the dataset as the pendulum recipe does: every start first (radius r ~ U(RadiusMin, RadiusMax)),
    /// Dormand–Prince 5(4) in float64 at rtol = atol = 1e-10, exact dynamics at the clean states as targets, then
    /// noise on the states. Split in order: first trajectories train.
    /// </summary>
    public Dataset Generate()
    {
        SampledTrajectories.CheckSizes(Trajectories, Points, TestFraction);
        var system = System;
        var rng = new Sampling(Seed);
        var starts = SampledTrajectories.RingStarts(rng, Trajectories, RadiusMin, RadiusMax);
        var times = Sampling.Linspace(0, TimeSpan, Points);
        var (x, dx) = SampledTrajectories.Integrate(system.BatchTimeDerivative, starts, Trajectories, 2, times, 1e-10, 1e-10);
        SampledTrajectories.AddNoise(rng, x, Trajectories, Points, NoiseStd);
        int trainRows = (int)Math.Round(Trajectories * (1 - TestFraction)) * Points;
        return SampledTrajectories.TrainFirst("damped-spring", x, dx, 2, times, trainRows);
    }
}

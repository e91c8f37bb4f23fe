using Hnn.Systems;

namespace Hnn.Data;

/// <summary>The paper's ideal-pendulum recipe (Task 2 of the spec), H = 3(1 − cos q) + p².</summary>
/// <param name="Trajectories">Number of trajectories (paper: 50).</param>
/// <param name="Points">Samples per trajectory over [0, TimeSpan], both ends included (paper: 45).</param>
/// <param name="TimeSpan">End time (paper: 3).</param>
/// <param name="RadiusMin">Smallest start radius (paper: 1.3).</param>
/// <param name="RadiusMax">Largest start radius (paper: 2.3).</param>
/// <param name="NoiseStd">Gaussian noise added to q and p inputs, not to targets (paper: 0.1).</param>
/// <param name="TestFraction">Fraction of trajectories, taken last, used for testing (paper: 0.5).</param>
/// <param name="Rtol">Relative tolerance of the integration (reference: 1e-10).</param>
/// <param name="Atol">Absolute tolerance of the integration. The reference left scipy's default 1e-6, which
/// dominates rtol for |x| ≲ 10⁴; here 1e-10, so the states are as accurate as the reference meant them to be.</param>
/// <param name="Seed">Random seed (paper: 0).</param>
public sealed record PendulumRecipe(
    int Trajectories = 50,
    int Points = 45,
    double TimeSpan = 3.0,
    double RadiusMin = 1.3,
    double RadiusMax = 2.3,
    double NoiseStd = 0.1,
    double TestFraction = 0.5,
    double Rtol = 1e-10,
    double Atol = 1e-10,
    int Seed = 0
)
{
    /// <summary>The system the data comes from.</summary>
    public static Pendulum System => Pendulum.Ideal;

    /// <summary>
    /// Generates the dataset. Draws every start first — a uniform point of [−1, 1]² rescaled to a radius
    /// r ~ U(RadiusMin, RadiusMax) — integrates all trajectories with Dormand–Prince 5(4) (float64), takes the exact
    /// dynamics at the clean states as targets, then adds noise to the states, trajectory by trajectory (all q, then
    /// all p). Split in order: first trajectories train.
    /// </summary>
    public Dataset Generate()
    {
        SampledTrajectories.CheckSizes(Trajectories, Points, TestFraction);
        var rng = new Sampling(Seed);
        var starts = SampledTrajectories.RingStarts(rng, Trajectories, RadiusMin, RadiusMax);
        var times = Sampling.Linspace(0, TimeSpan, Points);
        var (x, dx) = SampledTrajectories.Integrate(System.BatchTimeDerivative, starts, Trajectories, 2, times, Rtol, Atol);
        SampledTrajectories.AddNoise(rng, x, Trajectories, Points, NoiseStd);
        int trainRows = (int)Math.Round(Trajectories * (1 - TestFraction)) * Points;
        return SampledTrajectories.TrainFirst("pendulum", x, dx, 2, times, trainRows);
    }
}

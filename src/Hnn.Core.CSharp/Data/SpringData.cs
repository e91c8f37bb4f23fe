using Hnn.Systems;

namespace Hnn.Data;

/// <summary>The paper's mass-spring recipe (Task 1 of the spec).</summary>
/// <param name="Trajectories">Number of trajectories (paper: 50).</param>
/// <param name="Points">Samples per trajectory over [0, TimeSpan] (paper: 30).</param>
/// <param name="TimeSpan">End time (paper: 3).</param>
/// <param name="RadiusMin">Smallest start radius (paper: 0.1).</param>
/// <param name="RadiusMax">Largest start radius (paper: 1.0).</param>
/// <param name="NoiseStd">Gaussian noise added to q and p inputs, not to targets (paper: 0.1).</param>
/// <param name="TestFraction">Fraction of trajectories, taken last, used for testing (paper: 0.5).</param>
/// <param name="Seed">Random seed (paper: 0).</param>
public sealed record SpringRecipe(
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
    /// <summary>
    /// Generates the dataset. Each trajectory starts at a uniform point of [−1, 1]² rescaled to a radius
    /// r ~ U(RadiusMin, RadiusMax); states come from the exact flow (float64, round-off accurate, which
    /// is what the reference's RK45 at rtol 1e-10 approximates); targets are the exact dynamics at the
    /// clean states; then noise is added to the states. Split in order: first trajectories train.
    /// </summary>
    public Dataset Generate()
    {
        if (Trajectories < 2)
            throw new ArgumentException($"need at least 2 trajectories, got {Trajectories}");
        if (Points < 2)
            throw new ArgumentException($"need at least 2 points per trajectory, got {Points}");
        if (!(TestFraction > 0 && TestFraction < 1))
            throw new ArgumentException($"test fraction must be in (0, 1), got {TestFraction}");
        var system = new MassSpring();
        var rng = new Sampling(Seed);
        var times = Sampling.Linspace(0, TimeSpan, Points);
        int n = Trajectories * Points;
        var x = new double[n * 2];
        var dx = new double[n * 2];
        Span<double> derivative = stackalloc double[2];
        for (int k = 0; k < Trajectories; k++)
        {
            double q0 = rng.Uniform() * 2 - 1,
                p0 = rng.Uniform() * 2 - 1;
            double radius = rng.Uniform(RadiusMin, RadiusMax);
            double norm = Math.Sqrt(q0 * q0 + p0 * p0);
            q0 *= radius / norm;
            p0 *= radius / norm;
            for (int i = 0; i < Points; i++)
            {
                var (q, p) = MassSpring.Flow(q0, p0, times[i]);
                int row = k * Points + i;
                system.TimeDerivative([q, p], derivative);
                x[2 * row] = q;
                x[2 * row + 1] = p;
                dx[2 * row] = derivative[0];
                dx[2 * row + 1] = derivative[1];
            }
            for (int i = 0; i < Points; i++)
                x[2 * (k * Points + i)] += NoiseStd * rng.Normal();
            for (int i = 0; i < Points; i++)
                x[2 * (k * Points + i) + 1] += NoiseStd * rng.Normal();
        }
        int trainRows = (int)Math.Round(Trajectories * (1 - TestFraction)) * Points;
        var all = new StateMatrix(x, n, 2);
        var allDx = new StateMatrix(dx, n, 2);
        var timeline = Timeline.Regular(Trajectories, times);
        return new Dataset(
            "spring",
            all.Slice(0, trainRows),
            allDx.Slice(0, trainRows),
            all.Slice(trainRows, n - trainRows),
            allDx.Slice(trainRows, n - trainRows),
            timeline.Slice(0, trainRows),
            timeline.Slice(trainRows, n - trainRows)
        );
    }
}

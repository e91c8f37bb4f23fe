using Hnn.Integrators;

namespace Hnn.Data;

/// <summary>The shared step of the simulated recipes: integrate a batch of starts, then take exact targets at the sampled states.</summary>
internal static class SampledTrajectories
{
    /// <summary>
    /// Integrates <paramref name="count"/> starts [count, dim] with Dormand–Prince 5(4) at <paramref name="rtol"/>/<paramref name="atol"/>
    /// (<see cref="Ode"/>, each trajectory its own steps, in parallel) from <c>times[0]</c>, and returns the states at <paramref name="times"/> as rows [count·T, dim], trajectory by trajectory,
    /// with the exact dx/dt of <paramref name="field"/> at those (clean) states.
    /// </summary>
    public static (double[] X, double[] Dx) Integrate(
        BatchVectorField field,
        double[] starts,
        int count,
        int dim,
        double[] times,
        double rtol,
        double atol
    )
    {
        var x = Ode.Solve(field, DormandPrince45.Tableau, starts, count, dim, times[0], times, new AdaptiveSettings(rtol, atol));
        var dx = new double[x.Length];
        field(times[0], x, dx, count * times.Length);
        return (x, dx);
    }

    /// <summary>
    /// <paramref name="count"/> starts (q, p), each a uniform point of [−1, 1]² rescaled to a radius r ~ U(min, max),
    /// drawn in that order (the pendulum and damped-spring recipes).
    /// </summary>
    public static double[] RingStarts(Sampling rng, int count, double radiusMin, double radiusMax)
    {
        if (!(radiusMin > 0 && radiusMax >= radiusMin))
            throw new ArgumentException($"need 0 < radius min ≤ radius max, got {radiusMin} and {radiusMax}");
        var starts = new double[2 * count];
        for (int k = 0; k < count; k++)
        {
            double q0 = rng.Uniform() * 2 - 1,
                p0 = rng.Uniform() * 2 - 1;
            double radius = rng.Uniform(radiusMin, radiusMax);
            double norm = Math.Sqrt(q0 * q0 + p0 * p0);
            starts[2 * k] = q0 * radius / norm;
            starts[2 * k + 1] = p0 * radius / norm;
        }
        return starts;
    }

    /// <summary>Adds N(0, std²) noise to the states (q, p) [count·points, 2], trajectory by trajectory: all its q, then all its p.</summary>
    public static void AddNoise(Sampling rng, double[] x, int count, int points, double std)
    {
        for (int k = 0; k < count; k++)
        {
            for (int i = 0; i < points; i++)
                x[2 * (k * points + i)] += std * rng.Normal();
            for (int i = 0; i < points; i++)
                x[2 * (k * points + i) + 1] += std * rng.Normal();
        }
    }

    /// <summary>Checks the sizes shared by the trajectory recipes; the message names the bad value.</summary>
    public static void CheckSizes(int trajectories, int points, double testFraction)
    {
        if (trajectories < 2)
            throw new ArgumentException($"need at least 2 trajectories, got {trajectories}");
        if (points < 2)
            throw new ArgumentException($"need at least 2 points per trajectory, got {points}");
        if (!(testFraction > 0 && testFraction < 1))
            throw new ArgumentException($"test fraction must be in (0, 1), got {testFraction}");
    }

    /// <summary>Splits rows in order: the first <paramref name="testRows"/> rows test, the rest train (the orbit tasks).</summary>
    public static Dataset TestFirst(string name, double[] x, double[] dx, int dim, double[] times, int testRows)
    {
        int n = x.Length / dim;
        var all = new StateMatrix(x, n, dim);
        var allDx = new StateMatrix(dx, n, dim);
        var timeline = Timeline.Regular(n / times.Length, times);
        return new Dataset(
            name,
            all.Slice(testRows, n - testRows),
            allDx.Slice(testRows, n - testRows),
            all.Slice(0, testRows),
            allDx.Slice(0, testRows),
            timeline.Slice(testRows, n - testRows),
            timeline.Slice(0, testRows)
        );
    }

    /// <summary>Splits rows in order: the first <paramref name="trainRows"/> rows train, the rest test (the spring and pendulum tasks).</summary>
    public static Dataset TrainFirst(string name, double[] x, double[] dx, int dim, double[] times, int trainRows)
    {
        int n = x.Length / dim;
        var all = new StateMatrix(x, n, dim);
        var allDx = new StateMatrix(dx, n, dim);
        var timeline = Timeline.Regular(n / times.Length, times);
        return new Dataset(
            name,
            all.Slice(0, trainRows),
            allDx.Slice(0, trainRows),
            all.Slice(trainRows, n - trainRows),
            allDx.Slice(trainRows, n - trainRows),
            timeline.Slice(0, trainRows),
            timeline.Slice(trainRows, n - trainRows)
        );
    }
}

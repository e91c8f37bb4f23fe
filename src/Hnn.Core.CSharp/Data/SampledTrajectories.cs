using Hnn.Integrators;

namespace Hnn.Data;

/// <summary>The shared step of the simulated recipes: integrate a batch of starts, then take exact targets at the sampled states.</summary>
internal static class SampledTrajectories
{
    /// <summary>
    /// Integrates <paramref name="count"/> starts [count, dim] with <see cref="Ode.Solve(BatchVectorField, double[], int, int, double, ReadOnlySpan{double}, double, double)"/>
    /// from <c>times[0]</c>, and returns the states at <paramref name="times"/> as rows [count·T, dim], trajectory by trajectory,
    /// with the exact dx/dt of <paramref name="field"/> at those (clean) states.
    /// </summary>
    public static (double[] X, double[] Dx) Integrate(BatchVectorField field, double[] starts, int count, int dim, double[] times, double rtol, double atol)
    {
        var x = Ode.Solve(field, starts, count, dim, times[0], times, rtol, atol);
        var dx = new double[x.Length];
        field(times[0], x, dx, count * times.Length);
        return (x, dx);
    }

    /// <summary>Splits rows in order: the first <paramref name="testRows"/> rows test, the rest train (the orbit tasks).</summary>
    public static Dataset TestFirst(string name, double[] x, double[] dx, int dim, double[] times, int testRows)
    {
        int n = x.Length / dim;
        var all = new StateMatrix(x, n, dim);
        var allDx = new StateMatrix(dx, n, dim);
        var timeline = Timeline.Regular(n / times.Length, times);
        return new Dataset(name, all.Slice(testRows, n - testRows), allDx.Slice(testRows, n - testRows),
            all.Slice(0, testRows), allDx.Slice(0, testRows),
            timeline.Slice(testRows, n - testRows), timeline.Slice(0, testRows));
    }

    /// <summary>Splits rows in order: the first <paramref name="trainRows"/> rows train, the rest test (the spring and pendulum tasks).</summary>
    public static Dataset TrainFirst(string name, double[] x, double[] dx, int dim, double[] times, int trainRows)
    {
        int n = x.Length / dim;
        var all = new StateMatrix(x, n, dim);
        var allDx = new StateMatrix(dx, n, dim);
        var timeline = Timeline.Regular(n / times.Length, times);
        return new Dataset(name, all.Slice(0, trainRows), allDx.Slice(0, trainRows),
            all.Slice(trainRows, n - trainRows), allDx.Slice(trainRows, n - trainRows),
            timeline.Slice(0, trainRows), timeline.Slice(trainRows, n - trainRows));
    }
}

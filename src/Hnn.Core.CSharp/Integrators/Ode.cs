using System.Runtime.ExceptionServices;

namespace Hnn.Integrators;

/// <summary>
/// The float64 entry points: a vector field, a method, a start time and the times to save → the states
/// at those times, row-major [count, tEval.Length, dim].
/// </summary>
public static class Ode
{
    /// <summary>
    /// Integrates <paramref name="count"/> initial states (row-major <paramref name="y0"/>, [count, dim]) with
    /// Dormand–Prince 5(4) and returns the states at each of the times in <paramref name="tEval"/> (ascending,
    /// tEval[0] may equal t0) as a row-major array [count, tEval.Length, dim]. Each trajectory gets its own
    /// adaptive step (PI step-size control, rtol/atol as scipy's solve_ivp); values at tEval come from the
    /// method's dense output (4th-order continuous extension), as solve_ivp does. Trajectories are integrated
    /// on several threads, so <paramref name="f"/> is called concurrently, each call with count = 1.
    /// </summary>
    /// <exception cref="ArgumentException">Sizes do not match, tEval is empty, not ascending or starts before t0, or a tolerance is not positive.</exception>
    /// <exception cref="InvalidOperationException">A trajectory's step size underflowed or its state became non-finite (the message names the trajectory and the time).</exception>
    public static double[] Solve(BatchVectorField f, double[] y0, int count, int dim, double t0, ReadOnlySpan<double> tEval, double rtol, double atol) =>
        Solve(f, y0, count, dim, t0, tEval, new AdaptiveSettings(rtol, atol));

    /// <summary>
    /// <see cref="Solve(BatchVectorField, double[], int, int, double, ReadOnlySpan{double}, double, double)"/> with
    /// every setting of the step-size control given explicitly; with <see cref="AdaptiveSettings.Parallel"/> off,
    /// <paramref name="f"/> is only ever called from the calling thread.
    /// </summary>
    /// <exception cref="ArgumentException">Sizes do not match, tEval is empty, not ascending or starts before t0, or a setting is out of range.</exception>
    /// <exception cref="InvalidOperationException">A trajectory's step size underflowed or its state became non-finite.</exception>
    public static double[] Solve(BatchVectorField f, double[] y0, int count, int dim, double t0, ReadOnlySpan<double> tEval, AdaptiveSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        CheckProblem(f, y0, count, dim, t0, tEval);
        int points = tEval.Length;
        var output = new double[count * points * dim];
        var tableau = DormandPrince45.Tableau;
        var dense = DormandPrince45.Dense;
        if (!settings.Parallel || count == 1)
        {
            var integrator = new DenseAdaptiveIntegrator(tableau, dense, settings, f, dim);
            for (int i = 0; i < count; i++)
                integrator.Integrate(i, y0.AsSpan(i * dim, dim), t0, tEval, output.AsSpan(i * points * dim, points * dim));
            return output;
        }
        var times = tEval.ToArray();
        try
        {
            Parallel.For(0, count,
                () => new DenseAdaptiveIntegrator(tableau, dense, settings, f, dim),
                (i, _, integrator) =>
                {
                    integrator.Integrate(i, y0.AsSpan(i * dim, dim), t0, times, output.AsSpan(i * points * dim, points * dim));
                    return integrator;
                },
                _ => { });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return output;
    }

    /// <summary>
    /// Integrates a batch with a fixed-step <paramref name="method"/> (a Butcher tableau, a drift–kick table or
    /// implicit midpoint) and returns the states at <paramref name="tEval"/> as [count, tEval.Length, dim].
    /// Between consecutive output times the interval is cut into the fewest equal steps no longer than
    /// <paramref name="maxStep"/>, so every output time is hit exactly. <paramref name="f"/> is called with the whole batch.
    /// </summary>
    /// <exception cref="ArgumentException">Sizes do not match, tEval is empty, not ascending or starts before t0, or maxStep is not positive.</exception>
    public static double[] SolveFixed(IFixedStepMethod method, BatchVectorField f, double[] y0, int count, int dim, double t0, ReadOnlySpan<double> tEval, double maxStep)
    {
        ArgumentNullException.ThrowIfNull(method);
        CheckProblem(f, y0, count, dim, t0, tEval);
        if (!(maxStep > 0) || double.IsInfinity(maxStep)) throw new ArgumentException($"maxStep must be positive and finite, got {maxStep}", nameof(maxStep));
        int points = tEval.Length;
        var stepper = method.CreateStepper(f, count, dim);
        var x = (double[])y0.Clone();
        var output = new double[count * points * dim];
        double t = t0;
        for (int p = 0; p < points; p++)
        {
            int steps = StepsBetween(t, tEval[p], maxStep);
            double start = t, h = (tEval[p] - start) / Math.Max(steps, 1);
            for (int s = 0; s < steps; s++) stepper.Step(start + s * h, x, h);
            t = tEval[p];
            for (int i = 0; i < count; i++) x.AsSpan(i * dim, dim).CopyTo(output.AsSpan((i * points + p) * dim, dim));
        }
        return output;
    }

    /// <summary>The fewest equal steps no longer than maxStep that cover [from, to] (0 when to = from).</summary>
    internal static int StepsBetween(double from, double to, double maxStep)
    {
        double ratio = (to - from) / maxStep;
        return ratio <= 0 ? 0 : Math.Max(1, (int)Math.Ceiling(ratio * (1 - 1e-12)));
    }

    internal static void CheckTimes(double t0, ReadOnlySpan<double> tEval)
    {
        if (!double.IsFinite(t0)) throw new ArgumentException($"t0 must be finite, got {t0}", nameof(t0));
        if (tEval.Length == 0) throw new ArgumentException("tEval is empty: give at least one output time", nameof(tEval));
        if (!(tEval[0] >= t0)) throw new ArgumentException($"tEval must not start before t0 = {t0:R}, got tEval[0] = {tEval[0]:R}", nameof(tEval));
        for (int i = 1; i < tEval.Length; i++)
            if (!(tEval[i] > tEval[i - 1]))
                throw new ArgumentException($"tEval must be strictly ascending, but tEval[{i}] = {tEval[i]:R} follows tEval[{i - 1}] = {tEval[i - 1]:R}", nameof(tEval));
        if (!double.IsFinite(tEval[^1])) throw new ArgumentException($"tEval must be finite, got {tEval[^1]}", nameof(tEval));
    }

    private static void CheckProblem(BatchVectorField f, double[] y0, int count, int dim, double t0, ReadOnlySpan<double> tEval)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(y0);
        if (count < 1) throw new ArgumentException($"count must be positive, got {count}", nameof(count));
        if (dim < 1) throw new ArgumentException($"dim must be positive, got {dim}", nameof(dim));
        if (y0.Length != (long)count * dim)
            throw new ArgumentException($"y0 has {y0.Length} values, expected count × dim = {count} × {dim} = {(long)count * dim}", nameof(y0));
        for (int i = 0; i < y0.Length; i++)
            if (!double.IsFinite(y0[i]))
                throw new ArgumentException($"y0 holds a non-finite value {y0[i]} (trajectory {i / dim}, component {i % dim})", nameof(y0));
        CheckTimes(t0, tEval);
    }
}

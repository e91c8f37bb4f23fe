using System.Runtime.ExceptionServices;

namespace Hnn.Integrators;

/// <summary>
/// The float64 back end, for data generation, reference solutions and evaluation: a vector field on row-major
/// arrays, a method, initial states, the times to save and a step control → the states at those times.
/// </summary>
public static class Ode
{
    /// <summary>
    /// Integrates <paramref name="count"/> initial states (row-major <paramref name="y0"/>, [count, dim]) from
    /// <paramref name="t0"/> and returns the states at each of the times in <paramref name="tEval"/> (ascending,
    /// tEval[0] may equal t0) as a row-major array [count, tEval.Length, dim].
    /// With <see cref="FixedSteps"/> every method works; the whole batch takes the same steps and
    /// <paramref name="field"/> is called with the whole batch. With <see cref="AdaptiveSettings"/> the method must
    /// adapt (<see cref="ButcherTableau.CanAdapt"/>); each trajectory gets its own steps (PI control, rtol/atol as
    /// scipy's solve_ivp) and the values at tEval come from the method's dense output, as solve_ivp does; the field
    /// is called with count = 1, concurrently from several threads unless <see cref="AdaptiveSettings.Parallel"/> is off.
    /// </summary>
    /// <exception cref="ArgumentException">Sizes do not match, tEval is empty, not ascending or starts before t0, a setting is out of range, or the method cannot adapt.</exception>
    /// <exception cref="InvalidOperationException">A trajectory's step size underflowed, its state became non-finite (the message names the trajectory and the time), or an implicit stage did not converge.</exception>
    public static double[] Solve(
        BatchVectorField field,
        IFixedStepMethod method,
        double[] y0,
        int count,
        int dim,
        double t0,
        ReadOnlySpan<double> tEval,
        StepControl control
    )
    {
        var adaptive = SolveArguments.CheckControl(method, control);
        CheckProblem(field, y0, count, dim, t0, tEval);
        return adaptive is null
            ? SolveFixed(field, method, y0, count, dim, t0, tEval, (FixedSteps)control)
            : SolveAdaptive(field, adaptive, y0, count, dim, t0, tEval, (AdaptiveSettings)control);
    }

    /// <summary>
    /// <see cref="Solve(BatchVectorField, IFixedStepMethod, double[], int, int, double, ReadOnlySpan{double}, StepControl)"/>
    /// with Dormand–Prince 5(4) and <paramref name="settings"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Sizes do not match, tEval is empty, not ascending or starts before t0, or a setting is out of range.</exception>
    /// <exception cref="InvalidOperationException">A trajectory's step size underflowed or its state became non-finite.</exception>
    public static double[] Solve(
        BatchVectorField f,
        double[] y0,
        int count,
        int dim,
        double t0,
        ReadOnlySpan<double> tEval,
        AdaptiveSettings settings
    ) => Solve(f, DormandPrince45.Tableau, y0, count, dim, t0, tEval, settings);

    /// <summary>
    /// <see cref="Solve(BatchVectorField, IFixedStepMethod, double[], int, int, double, ReadOnlySpan{double}, StepControl)"/>
    /// with <see cref="FixedSteps"/>(<paramref name="maxStep"/>).
    /// </summary>
    /// <exception cref="ArgumentException">Sizes do not match, tEval is empty, not ascending or starts before t0, or maxStep is not positive.</exception>
    public static double[] SolveFixed(
        IFixedStepMethod method,
        BatchVectorField f,
        double[] y0,
        int count,
        int dim,
        double t0,
        ReadOnlySpan<double> tEval,
        double maxStep
    ) => Solve(f, method, y0, count, dim, t0, tEval, new FixedSteps(maxStep));

    private static double[] SolveFixed(
        BatchVectorField field,
        IFixedStepMethod method,
        double[] y0,
        int count,
        int dim,
        double t0,
        ReadOnlySpan<double> tEval,
        FixedSteps steps
    )
    {
        int points = tEval.Length;
        var stepper = method.CreateStepper(field, count, dim);
        var x = (double[])y0.Clone();
        var output = new double[count * points * dim];
        steps.Walk(
            t0,
            tEval,
            (t, h) => stepper.Step(t, x, h),
            p =>
            {
                for (int i = 0; i < count; i++)
                    x.AsSpan(i * dim, dim).CopyTo(output.AsSpan((i * points + p) * dim, dim));
            }
        );
        return output;
    }

    private static double[] SolveAdaptive(
        BatchVectorField field,
        ButcherTableau tableau,
        double[] y0,
        int count,
        int dim,
        double t0,
        ReadOnlySpan<double> tEval,
        AdaptiveSettings settings
    )
    {
        int points = tEval.Length;
        var output = new double[count * points * dim];
        if (!settings.Parallel || count == 1)
        {
            var trajectory = new AdaptiveTrajectory(tableau, settings, field, dim);
            for (int i = 0; i < count; i++)
                trajectory.Integrate(i, y0.AsSpan(i * dim, dim), t0, tEval, output, i * points * dim);
            return output;
        }
        var times = tEval.ToArray();
        try
        {
            Parallel.For(
                0,
                count,
                () => new AdaptiveTrajectory(tableau, settings, field, dim),
                (i, _, trajectory) =>
                {
                    trajectory.Integrate(i, y0.AsSpan(i * dim, dim), t0, times, output, i * points * dim);
                    return trajectory;
                },
                _ => { }
            );
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return output;
    }

    private static void CheckProblem(BatchVectorField f, double[] y0, int count, int dim, double t0, ReadOnlySpan<double> tEval)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(y0);
        if (count < 1)
            throw new ArgumentException($"count must be positive, got {count}", nameof(count));
        if (dim < 1)
            throw new ArgumentException($"dim must be positive, got {dim}", nameof(dim));
        if (y0.Length != (long)count * dim)
            throw new ArgumentException(
                $"y0 has {y0.Length} values, expected count × dim = {count} × {dim} = {(long)count * dim}",
                nameof(y0)
            );
        for (int i = 0; i < y0.Length; i++)
            if (!double.IsFinite(y0[i]))
                throw new ArgumentException($"y0 holds a non-finite value {y0[i]} (trajectory {i / dim}, component {i % dim})", nameof(y0));
        SolveArguments.CheckTimes(t0, tEval);
    }
}

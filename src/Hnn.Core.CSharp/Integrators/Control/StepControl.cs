namespace Hnn.Integrators;

/// <summary>
/// How a solve chooses its steps: <see cref="FixedSteps"/> (any method) or <see cref="AdaptiveSettings"/>
/// (a method that can adapt, <see cref="ButcherTableau.CanAdapt"/>). The same values drive both back ends'
/// entry points, <see cref="Ode"/>.Solve and <see cref="TensorOde"/>.Solve.
/// </summary>
public abstract record StepControl
{
    private protected StepControl() { }
}

/// <summary>
/// Fixed steps: between consecutive output times the interval is cut into the fewest equal steps no longer than
/// <paramref name="MaxStep"/>, so every output time is hit exactly.
/// </summary>
/// <param name="MaxStep">The longest step, positive and finite.</param>
public sealed record FixedSteps(double MaxStep) : StepControl
{
    /// <summary>Checks the step; the message names it.</summary>
    /// <exception cref="ArgumentException">MaxStep is not positive and finite.</exception>
    public FixedSteps Validate()
    {
        if (!(MaxStep > 0) || double.IsInfinity(MaxStep))
            throw new ArgumentException($"maxStep must be positive and finite, got {MaxStep}", "maxStep");
        return this;
    }

    /// <summary>
    /// Walks the output times: for each, calls <paramref name="step"/> (t, h) for each of its equal steps, then
    /// <paramref name="reached"/> with its index. The one step loop of both back ends.
    /// </summary>
    internal void Walk(double t0, ReadOnlySpan<double> tEval, Action<double, double> step, Action<int> reached)
    {
        double t = t0;
        for (int p = 0; p < tEval.Length; p++)
        {
            int steps = StepsBetween(t, tEval[p], MaxStep);
            double start = t,
                h = (tEval[p] - start) / Math.Max(steps, 1);
            for (int s = 0; s < steps; s++)
                step(start + s * h, h);
            t = tEval[p];
            reached(p);
        }
    }

    /// <summary>The fewest equal steps no longer than maxStep that cover [from, to] (0 when to = from).</summary>
    internal static int StepsBetween(double from, double to, double maxStep)
    {
        double ratio = (to - from) / maxStep;
        return ratio <= 0 ? 0 : Math.Max(1, (int)Math.Ceiling(ratio * (1 - 1e-12)));
    }
}

/// <summary>Checks of the arguments every solve shares.</summary>
internal static class SolveArguments
{
    /// <summary>t0 finite; tEval non-empty, finite, strictly ascending, not before t0. Messages name t0 or tEval.</summary>
    public static void CheckTimes(double t0, ReadOnlySpan<double> tEval)
    {
        if (!double.IsFinite(t0))
            throw new ArgumentException($"t0 must be finite, got {t0}", nameof(t0));
        if (tEval.Length == 0)
            throw new ArgumentException("tEval is empty: give at least one output time", nameof(tEval));
        if (!(tEval[0] >= t0))
            throw new ArgumentException($"tEval must not start before t0 = {t0:R}, got tEval[0] = {tEval[0]:R}", nameof(tEval));
        for (int i = 1; i < tEval.Length; i++)
            if (!(tEval[i] > tEval[i - 1]))
                throw new ArgumentException(
                    $"tEval must be strictly ascending, but tEval[{i}] = {tEval[i]:R} follows tEval[{i - 1}] = {tEval[i - 1]:R}",
                    nameof(tEval)
                );
        if (!double.IsFinite(tEval[^1]))
            throw new ArgumentException($"tEval must be finite, got {tEval[^1]}", nameof(tEval));
    }

    /// <summary>Validates the step control for the method: the tableau when it adapts, null for fixed steps.</summary>
    /// <exception cref="ArgumentException">A setting is out of range, or the method cannot adapt its steps.</exception>
    /// <exception cref="NotSupportedException">An unknown kind of step control.</exception>
    public static ButcherTableau? CheckControl(IFixedStepMethod method, StepControl control)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(control);
        switch (control)
        {
            case FixedSteps steps:
                steps.Validate();
                return null;
            case AdaptiveSettings settings:
                settings.Validate();
                return method is ButcherTableau { CanAdapt: true } tableau
                    ? tableau
                    : throw new ArgumentException(
                        $"'{method.Name}' cannot adapt its step size: that needs an embedded Runge–Kutta pair with a dense output "
                            + $"(e.g. {DormandPrince45.Tableau.Name} or {BogackiShampine32.Tableau.Name}); use fixed steps",
                        nameof(method)
                    );
            default:
                throw new NotSupportedException($"unknown step control {control.GetType().Name}");
        }
    }
}

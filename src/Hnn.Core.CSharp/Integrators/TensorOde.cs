using static TorchSharp.torch;

namespace Hnn.Integrators;

/// <summary>
/// The same methods on batches of tensors, for learned fields: <c>field</c> maps states [N, D] to dx/dt [N, D]
/// and is called once per stage for the whole batch. The dtype and device follow the initial states.
/// Stage results are detached, so no autograd graph grows across steps; grad mode is left as the caller set it
/// (a learned HNN needs autograd inside its field) unless <c>noGrad</c> asks to run the field under no_grad.
/// Each step runs in its own dispose scope, so memory stays flat; results are moved to the caller's scope.
/// Drift–kick methods evaluate the full field and keep the half they need: they are the symplectic methods
/// they claim to be only for separable fields; for a learned H that need not be separable, use implicit midpoint.
/// </summary>
public static class TensorOde
{
    /// <summary>One step of size <paramref name="h"/> of a fixed-step method from the states <paramref name="x"/> [N, D]; a new, detached tensor.</summary>
    /// <exception cref="ArgumentException">x is not a floating-point [N, D] tensor, or the field returns another shape.</exception>
    /// <exception cref="NotSupportedException">The method is not a Butcher tableau, a drift–kick table or implicit midpoint.</exception>
    public static Tensor Step(IFixedStepMethod method, Func<Tensor, Tensor> field, Tensor x, double h, bool noGrad = false)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(field);
        TensorField.CheckStates(x, nameof(x));
        using var mode = noGrad ? no_grad() : null;
        using var scope = NewDisposeScope();
        return StepUnscoped(method, field, x.detach(), h).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Integrates the batch <paramref name="x0"/> [N, D] with a fixed-step method and returns the states at
    /// <paramref name="tEval"/> as [N, tEval.Length, D]. Between consecutive output times the interval is cut into
    /// the fewest equal steps no longer than <paramref name="maxStep"/> (as <see cref="Ode.SolveFixed"/>).
    /// </summary>
    /// <exception cref="ArgumentException">x0 is not a floating-point [N, D] tensor, tEval is empty, not ascending or starts before t0, or maxStep is not positive.</exception>
    public static Tensor SolveFixed(IFixedStepMethod method, Func<Tensor, Tensor> field, Tensor x0, double t0, ReadOnlySpan<double> tEval, double maxStep, bool noGrad = false)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(field);
        TensorField.CheckStates(x0, nameof(x0));
        Ode.CheckTimes(t0, tEval);
        if (!(maxStep > 0) || double.IsInfinity(maxStep)) throw new ArgumentException($"maxStep must be positive and finite, got {maxStep}", nameof(maxStep));
        using var mode = noGrad ? no_grad() : null;
        using var outer = NewDisposeScope();
        var output = zeros([x0.shape[0], tEval.Length, x0.shape[1]], x0.dtype, x0.device);
        var x = x0.detach().clone();
        double t = t0;
        for (int p = 0; p < tEval.Length; p++)
        {
            int steps = Ode.StepsBetween(t, tEval[p], maxStep);
            double start = t, h = (tEval[p] - start) / Math.Max(steps, 1);
            for (int s = 0; s < steps; s++)
            {
                using var scope = NewDisposeScope();
                x.copy_(StepUnscoped(method, field, x, h));
            }
            t = tEval[p];
            output.select(1, p).copy_(x);
        }
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Dormand–Prince 5(4) over the batch <paramref name="x0"/> [N, D] with one adaptive step size for the whole
    /// batch, chosen from the worst trajectory's error norm (rtol/atol as scipy's solve_ivp, PI control); the
    /// states at <paramref name="tEval"/> come from the dense output. Returns [N, tEval.Length, D].
    /// </summary>
    /// <exception cref="ArgumentException">x0 is not a floating-point [N, D] tensor, tEval is empty, not ascending or starts before t0, or a tolerance is not positive.</exception>
    /// <exception cref="InvalidOperationException">The step size underflowed or a state became non-finite.</exception>
    public static Tensor Solve(Func<Tensor, Tensor> field, Tensor x0, double t0, ReadOnlySpan<double> tEval, double rtol, double atol, bool noGrad = false) =>
        Solve(field, x0, t0, tEval, new AdaptiveSettings(rtol, atol), noGrad);

    /// <summary>
    /// <see cref="Solve(Func{Tensor, Tensor}, Tensor, double, ReadOnlySpan{double}, double, double, bool)"/> with every
    /// setting of the step-size control given explicitly (<see cref="AdaptiveSettings.Parallel"/> is ignored).
    /// </summary>
    /// <exception cref="ArgumentException">x0 is not a floating-point [N, D] tensor, tEval is empty, not ascending or starts before t0, or a setting is out of range.</exception>
    /// <exception cref="InvalidOperationException">The step size underflowed or a state became non-finite.</exception>
    public static Tensor Solve(Func<Tensor, Tensor> field, Tensor x0, double t0, ReadOnlySpan<double> tEval, AdaptiveSettings settings, bool noGrad = false)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        TensorField.CheckStates(x0, nameof(x0));
        Ode.CheckTimes(t0, tEval);
        using var mode = noGrad ? no_grad() : null;
        using var outer = NewDisposeScope();
        var output = zeros([x0.shape[0], tEval.Length, x0.shape[1]], x0.dtype, x0.device);
        TensorDormandPrince.Integrate(field, x0, t0, tEval.ToArray(), settings, output);
        return output.MoveToOuterDisposeScope();
    }

    private static Tensor StepUnscoped(IFixedStepMethod method, Func<Tensor, Tensor> field, Tensor x, double h) => method switch
    {
        ButcherTableau tableau => TensorExplicitRungeKutta.Step(tableau, field, x, h),
        DriftKickTableau tableau => TensorDriftKick.Step(tableau, field, x, h),
        ImplicitMidpoint midpoint => TensorImplicitMidpoint.Step(midpoint, field, x, h),
        _ => throw new NotSupportedException($"no tensor stepper for method '{method.Name}' ({method.GetType().Name})"),
    };
}

using static TorchSharp.torch;

namespace Hnn.Integrators;

/// <summary>
/// The tensor back end, for learned fields: <c>field</c> maps states [N, D] to dx/dt [N, D] and is called once per
/// stage for the whole batch. The dtype and device follow the initial states.
/// Stage results are detached, so no autograd graph grows across steps; grad mode is left as the caller set it
/// (a learned HNN needs autograd inside its field) unless <c>noGrad</c> asks to run the field under no_grad.
/// Each step runs in its own dispose scope, so memory stays flat; results are moved to the caller's scope.
/// Drift–kick methods evaluate the full field and keep the half they need: they are the symplectic methods
/// they claim to be only for separable fields; for a learned H that need not be separable, use implicit midpoint.
/// </summary>
public static class TensorOde
{
    /// <summary>
    /// Integrates the batch <paramref name="x0"/> [N, D] from <paramref name="t0"/> and returns the states at
    /// <paramref name="tEval"/> (ascending, tEval[0] may equal t0) as [N, tEval.Length, D].
    /// With <see cref="FixedSteps"/> every method works. With <see cref="AdaptiveSettings"/> the method must adapt
    /// (<see cref="ButcherTableau.CanAdapt"/>); the whole batch takes one step size, chosen from the worst
    /// trajectory's error norm (rtol/atol as scipy's solve_ivp, PI control), and the states at tEval come from the
    /// dense output; a batch of one takes the steps of the float64 <see cref="Ode"/>.
    /// <paramref name="escapeRadii"/> [N] (adaptive control only) stops a row once the 2-norm of its state at the end of an
    /// accepted step exceeds its radius or is not finite: that row is held still from then on, so it no longer sets the step
    /// size, and its samples from that step's end on are NaN (a diverging path then costs no more than the rows that stay).
    /// </summary>
    /// <exception cref="ArgumentException">x0 is not a floating-point [N, D] tensor, tEval is empty, not ascending or starts before t0, a setting is out of range, the method cannot adapt, the field returns another shape, or escape radii are given for fixed steps or are not [N].</exception>
    /// <exception cref="InvalidOperationException">The step size underflowed, a state became non-finite, or an implicit stage did not converge.</exception>
    /// <exception cref="NotSupportedException">The method is not a Butcher tableau, a drift–kick table or implicit midpoint.</exception>
    public static Tensor Solve(
        Func<Tensor, Tensor> field,
        IFixedStepMethod method,
        Tensor x0,
        double t0,
        ReadOnlySpan<double> tEval,
        StepControl control,
        bool noGrad = false,
        Tensor? escapeRadii = null
    )
    {
        ArgumentNullException.ThrowIfNull(field);
        TensorField.CheckStates(x0, nameof(x0));
        SolveArguments.CheckTimes(t0, tEval);
        var adaptive = SolveArguments.CheckControl(method, control);
        if (escapeRadii is not null)
        {
            if (adaptive is null)
                throw new ArgumentException("escape radii need adaptive step control", nameof(escapeRadii));
            if (escapeRadii.dim() != 1 || escapeRadii.shape[0] != x0.shape[0])
                throw new ArgumentException(
                    $"escape radii must be one per state [{x0.shape[0]}], got shape [{string.Join(", ", escapeRadii.shape)}]",
                    nameof(escapeRadii)
                );
        }
        using var mode = noGrad ? no_grad() : null;
        using var outer = NewDisposeScope();
        var output = zeros([x0.shape[0], tEval.Length, x0.shape[1]], x0.dtype, x0.device);
        if (adaptive is not null)
        {
            AdaptiveBatch.Integrate(adaptive, field, x0, t0, tEval, (AdaptiveSettings)control, output, escapeRadii);
            return output.MoveToOuterDisposeScope();
        }
        var x = x0.detach().clone();
        ((FixedSteps)control).Walk(
            t0,
            tEval,
            (_, h) =>
            {
                using var scope = NewDisposeScope();
                x.copy_(Advance(method, field, x, h, keepGraph: false));
            },
            p => output.select(1, p).copy_(x)
        );
        return output.MoveToOuterDisposeScope();
    }

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
        return Advance(method, field, x.detach(), h, keepGraph: false).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <see cref="Solve(Func{Tensor, Tensor}, IFixedStepMethod, Tensor, double, ReadOnlySpan{double}, StepControl, bool, Tensor)"/>
    /// with <see cref="FixedSteps"/>(<paramref name="maxStep"/>).
    /// </summary>
    /// <exception cref="ArgumentException">x0 is not a floating-point [N, D] tensor, tEval is empty, not ascending or starts before t0, or maxStep is not positive.</exception>
    public static Tensor SolveFixed(
        IFixedStepMethod method,
        Func<Tensor, Tensor> field,
        Tensor x0,
        double t0,
        ReadOnlySpan<double> tEval,
        double maxStep,
        bool noGrad = false
    ) => Solve(field, method, x0, t0, tEval, new FixedSteps(maxStep), noGrad);

    /// <summary>
    /// <see cref="Solve(Func{Tensor, Tensor}, IFixedStepMethod, Tensor, double, ReadOnlySpan{double}, StepControl, bool, Tensor)"/>
    /// with Dormand–Prince 5(4) and <see cref="AdaptiveSettings"/>(<paramref name="rtol"/>, <paramref name="atol"/>).
    /// </summary>
    /// <exception cref="ArgumentException">x0 is not a floating-point [N, D] tensor, tEval is empty, not ascending or starts before t0, or a tolerance is not positive.</exception>
    /// <exception cref="InvalidOperationException">The step size underflowed or a state became non-finite.</exception>
    public static Tensor Solve(
        Func<Tensor, Tensor> field,
        Tensor x0,
        double t0,
        ReadOnlySpan<double> tEval,
        double rtol,
        double atol,
        bool noGrad = false
    ) => Solve(field, DormandPrince45.Tableau, x0, t0, tEval, new AdaptiveSettings(rtol, atol), noGrad);

    /// <summary>
    /// One step of any fixed-step method; with <paramref name="keepGraph"/> gradients flow through every stage
    /// (training through the integrator, see <see cref="Training.SupervisedStep"/>). Temporaries belong to the
    /// caller's dispose scope.
    /// </summary>
    internal static Tensor Advance(IFixedStepMethod method, Func<Tensor, Tensor> field, Tensor x, TensorStepSize h, bool keepGraph) =>
        method switch
        {
            ButcherTableau tableau => TensorRungeKutta.Step(tableau, field, x, h, keepGraph),
            DriftKickTableau tableau => TensorDriftKick.Step(tableau, field, x, h, keepGraph),
            ImplicitMidpoint midpoint when !keepGraph => TensorImplicitMidpoint.Step(midpoint, field, x, h.Single(midpoint.Name)),
            _ => throw new NotSupportedException(
                $"no tensor stepper for method '{method.Name}' ({method.GetType().Name}){(keepGraph ? " that keeps the graph" : "")}"
            ),
        };
}

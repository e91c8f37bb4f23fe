using Hnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Hnn.Models.Lagrangian;

/// <summary>
/// Accelerations from a Lagrangian by the Euler–Lagrange equations, batched over states (Cranmer et al. 2020, eq. 6):
/// d/dt ∂L/∂q̇ = ∂L/∂q gives q̈ = (∇q̇∇q̇ᵀL)⁻¹[∇qL − (∇q∇q̇ᵀL) q̇], where (∇q∇q̇ᵀL)ᵢⱼ = ∂²L/∂q̇ᵢ∂qⱼ.
/// </summary>
/// <remarks>
/// TorchSharp has no vmap, and its <c>jacobian</c> cannot keep a graph, so the second derivatives come from repeated
/// autograd: one <c>autograd.grad</c> of ∇L (kept as a graph) per velocity coordinate i gives the row ∂(∂L/∂q̇ᵢ)/∂x of
/// every state at once — both Hessian blocks the equation needs, batched over the N states, since L of one state does not
/// depend on another. n + 1 backward passes for n degrees of freedom, whatever N.
/// </remarks>
public static class EulerLagrange
{
    /// <summary>
    /// q̈ [N, n] for states (q, q̇) [N, 2n] and a Lagrangian <paramref name="lagrangian"/> that maps states to L [N] (or
    /// [N, 1]), any function autograd can differentiate twice: a network or a closed form. ∇L comes from autograd (with
    /// its graph kept), then as <see cref="FromGradient"/>.
    /// </summary>
    /// <param name="lagrangian">L at each state.</param>
    /// <param name="states">(q, q̇), even width. If it requires grad, the result is differentiable with respect to it too
    /// (with <paramref name="createGraph"/>).</param>
    /// <param name="ridge">λ ≥ 0 (see <see cref="FromGradient"/>).</param>
    /// <param name="createGraph">Keep the graph of the result (for training through it); otherwise it is detached.</param>
    /// <param name="relativeRidge">μ ≥ 0 (see <see cref="FromGradient"/>).</param>
    public static Tensor Accelerations(
        Func<Tensor, Tensor> lagrangian,
        Tensor states,
        double ridge,
        bool createGraph,
        double relativeRidge = 0
    )
    {
        ArgumentNullException.ThrowIfNull(lagrangian);
        return FromGradient(
            x => autograd.grad([lagrangian(x).sum()], [x], retain_graph: true, create_graph: true)[0],
            states,
            ridge,
            createGraph,
            relativeRidge
        );
    }

    /// <summary>
    /// q̈ [N, n] for states (q, q̇) [N, 2n] from ∇L: <paramref name="gradient"/> maps states x (which require grad) to
    /// ∇L(x) [N, 2n], differentiable once more with respect to x (autograd with a kept graph, or a chain rule written out
    /// as tensor ops, which records a smaller graph). The second derivatives are one autograd pass per velocity
    /// coordinate. The velocity Hessian A = ∇q̇∇q̇ᵀL is solved in ridge (Tikhonov) form, (A² + λI) q̈ = A·b with
    /// b = ∇qL − (∇q∇q̇ᵀL) q̇: exactly A⁻¹b when λ = 0, and for λ > 0 bounded where A is singular whatever its sign (L and
    /// −L give the same motion, so a learned A may be negative definite, where A + λI would be singular at A = −λ).
    /// With <paramref name="relativeRidge"/> μ > 0 the ridge is λ + μ·s, s = tr(A²)/n the mean squared eigenvalue of
    /// A at that state: the part μ·s follows L's scale (L and cL give the same q̈ from it), so it keeps bounding the gain
    /// of a direction where A is nearly singular against A's other directions once a learned L is large, where a fixed
    /// λ no longer does; for one degree of freedom it is a uniform factor 1/(1 + μ), and λ alone bounds q̈ where A
    /// vanishes. Computed in the states' dtype.
    /// </summary>
    /// <param name="gradient">∇L at each state.</param>
    /// <param name="states">(q, q̇), even width. If it requires grad, the result is differentiable with respect to it too
    /// (with <paramref name="createGraph"/>).</param>
    /// <param name="ridge">λ ≥ 0.</param>
    /// <param name="createGraph">Keep the graph of the result (for training through it); otherwise it is detached.</param>
    /// <param name="relativeRidge">μ ≥ 0: the part of the ridge relative to A's scale (0: none).</param>
    public static Tensor FromGradient(
        Func<Tensor, Tensor> gradient,
        Tensor states,
        double ridge,
        bool createGraph,
        double relativeRidge = 0
    )
    {
        ArgumentNullException.ThrowIfNull(gradient);
        if (states.dim() != 2 || states.shape[1] % 2 != 0)
            throw new ArgumentException(
                $"states must be (q, q̇) rows [N, 2n], got shape [{string.Join(", ", states.shape)}]",
                nameof(states)
            );
        if (!(ridge >= 0 && double.IsFinite(ridge)))
            throw new ArgumentOutOfRangeException(nameof(ridge), ridge, "must be zero or positive and finite");
        if (!(relativeRidge >= 0 && double.IsFinite(relativeRidge)))
            throw new ArgumentOutOfRangeException(nameof(relativeRidge), relativeRidge, "must be zero or positive and finite");
        using var scope = NewDisposeScope();
        using var gradMode = enable_grad();
        var x = states.requires_grad ? states : states.detach().requires_grad_(true);
        long n = x.shape[1] / 2;
        var first = gradient(x);
        var rows = new Tensor[n];
        for (long i = 0; i < n; i++)
            rows[i] = autograd.grad([first.select(1, n + i).sum()], [x], retain_graph: createGraph || i < n - 1, create_graph: createGraph)[
                0
            ];
        var hessianRows = stack(rows, 1);
        var mixed = hessianRows.narrow(2, 0, n);
        var velocityHessian = hessianRows.narrow(2, n, n);
        var velocities = x.narrow(1, n, n).unsqueeze(2);
        var rhs = first.narrow(1, 0, n).unsqueeze(2) - mixed.matmul(velocities);
        Tensor accelerations;
        if (ridge == 0 && relativeRidge == 0)
        {
            accelerations = linalg.solve(velocityHessian, rhs);
        }
        else
        {
            using var identity = eye(n, dtype: x.dtype);
            var square = velocityHessian.matmul(velocityHessian);
            var normal = square.Plus(identity.Times(ridge));
            if (relativeRidge > 0)
            {
                // μ·tr(A²)/n per state, [N, 1, 1]
                var scale = square.diagonal(0, 1, 2).sum(1, keepdim: true).unsqueeze(2).Times(relativeRidge / n);
                normal = normal.Plus(identity * scale);
            }
            accelerations = linalg.solve(normal, velocityHessian.matmul(rhs));
        }
        accelerations = accelerations.squeeze(2);
        if (!createGraph)
            accelerations = accelerations.detach();
        return accelerations.MoveToOuterDisposeScope();
    }
}

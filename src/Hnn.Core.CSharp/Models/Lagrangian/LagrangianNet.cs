using TorchSharp;
using static TorchSharp.torch;

namespace Hnn.Models.Lagrangian;

/// <summary>
/// A Lagrangian neural network (Cranmer, Greydanus, Hoyer, Battaglia, Spergel, Ho 2020; MilesCranmer/lagrangian_nns): an
/// MLP L(q, q̇) (float32, the paper's two hidden layers, softplus by default: smooth, with second derivatives that do
/// not vanish as ReLU's do) drawn at Cranmer et al.'s init (<see cref="MlpInit.Lagrangian"/>), and the field (q̇, q̈) with q̈
/// from the Euler–Lagrange equations (<see cref="EulerLagrange"/>).
/// </summary>
/// <remarks>
/// Its states are velocity coordinates (q, q̇), so it learns from positions and velocities without canonical momenta.
/// The tasks' data and energy protocols are canonical (q, p): the run path maps them with the task's known kinetic
/// energy (the Legendre map q̇ = ∂H/∂p, <see cref="VelocityCoordinates"/>), so on canonical data an LNN needs a task
/// with a known system. Its train and test losses are the MSE of (q̇, q̈), not of (q̇, ṗ).
/// </remarks>
public sealed class LagrangianNet : DynamicsModel, ILagrangianModel
{
    private readonly Mlp mlp;

    /// <summary>
    /// λ of the ridge form of the velocity-Hessian solve (<see cref="EulerLagrange.Accelerations"/>). Against
    /// |∂²L/∂q̇²| ≈ 0.5 for the tasks' true L it biases q̈ by ~λ/0.25 = 4e-4 relative, which the network can remove by
    /// scaling L; it bounds q̈ where a learned Hessian passes through zero. Under the paper's orthogonal init the
    /// network's velocity Hessian starts near 0.01, where λ/A² ≈ 1 damps q̈ by half; Cranmer et al.'s init starts
    /// L two orders of magnitude larger.
    /// </summary>
    public const double Ridge = 1e-4;

    /// <summary>
    /// μ of the ridge's part relative to the velocity Hessian's scale (<see cref="EulerLagrange.FromGradient"/>), the
    /// default of <see cref="ModelSettings.RelativeRidge"/> for an LNN. At Cranmer et al.'s init L is large and its
    /// Hessian indefinite, and the fixed <see cref="Ridge"/> no longer bounds q̈ where one of A's directions passes near
    /// zero: on two-body (four degrees of freedom) the test loss after 2000 steps was 0.46 without it and 1.0e-3 with
    /// μ = 0.01 (seed 0). Its bias is a factor 1/(1 + μ) on q̈ where A is a multiple of I, which L can absorb.
    /// </summary>
    public const double RelativeRidge = 1e-2;

    /// <summary>Creates an LNN (its kind is set to <see cref="ModelKind.Lnn"/>); the state dimension must be even.</summary>
    public LagrangianNet(ModelSettings settings)
        : base(nameof(LagrangianNet), settings with { Kind = ModelKind.Lnn })
    {
        mlp = new Mlp(settings.InputDim, settings.HiddenDim, 1, settings.Nonlinearity, MlpInit.Lagrangian);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override StateCoordinates Coordinates => StateCoordinates.Velocity;

    /// <summary>The learned Lagrangian L at each state (q, q̇): [N].</summary>
    public Tensor Lagrangian(Tensor x)
    {
        using var l = mlp.forward(x);
        return l.squeeze(1);
    }

    /// <summary>
    /// (q̇, q̈) for states (q, q̇) [N, 2n], q̈ by <see cref="EulerLagrange.FromGradient"/> with <see cref="Ridge"/>, the
    /// settings' <see cref="ModelSettings.RelativeRidge"/> and
    /// ∇L from the MLP's written-out chain rule (<see cref="Mlp.InputGradient"/>: autograd's values, and second
    /// derivatives through σ′ rather than through σ's own double-backward pass, a smaller graph). Equal to
    /// <see cref="EulerLagrange.Accelerations"/> on <see cref="Lagrangian"/> to float32 round-off (a test checks it).
    /// Autograd runs whatever the grad mode; without <paramref name="createGraph"/> the result is detached.
    /// </summary>
    public override Tensor TimeDerivative(Tensor x, bool createGraph)
    {
        using var scope = NewDisposeScope();
        long n = x.shape[1] / 2;
        var accelerations = EulerLagrange.FromGradient(input => mlp.InputGradient(input, 0), x, Ridge, createGraph, Settings.RelativeRidge);
        var velocities = x.narrow(1, n, n);
        if (!createGraph)
            velocities = velocities.detach();
        return cat([velocities, accelerations], 1).MoveToOuterDisposeScope();
    }
}

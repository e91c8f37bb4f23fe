using Hnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Hnn.Models.Lagrangian;

/// <summary>
/// A deep Lagrangian network (DeLaN; Lutter, Ritter, Peters 2019): a Lagrangian network whose L has the form of every
/// mechanical system's, L(q, q̇) = ½ q̇ᵀM(q)q̇ − V(q), with the mass matrix M(q) = C(q)C(q)ᵀ + εI positive definite by
/// construction (C lower triangular with a positive diagonal, from one MLP of q) and V(q) from another (float32, each
/// the paper's two hidden layers, at its orthogonal init). q̈ comes from the Euler–Lagrange equations as for
/// <see cref="LagrangianNet"/>; the velocity Hessian is M itself, so the solve needs no ridge.
/// </summary>
/// <remarks>
/// Where Cranmer et al.'s LNN learns any L and must invert a learned Hessian that can pass through singular, this one
/// gives up the Lagrangians that are not quadratic in q̇ (relativistic or magnetic ones) for a Hessian that is always
/// invertible. Its states are velocity coordinates (q, q̇), as the LNN's.
/// </remarks>
public sealed class DeepLagrangianNet : DynamicsModel, ILagrangianModel
{
    /// <summary>ε of M = CCᵀ + εI: a floor under M's eigenvalues, small against the tasks' masses (0.5 to 2).</summary>
    public const double MassFloor = 1e-3;

    private readonly Mlp mass;
    private readonly Mlp potential;
    private readonly int degrees;

    /// <summary>Places the n(n+1)/2 outputs of the mass network into C's lower triangle (row-major): [n(n+1)/2, n·n].</summary>
    private readonly Tensor placement;

    /// <summary>Whether an output is one of C's diagonal entries (passed through softplus): [n(n+1)/2].</summary>
    private readonly Tensor diagonal;

    /// <summary>Creates a DeLaN (its kind is set to <see cref="ModelKind.Delan"/>); the state dimension must be even.</summary>
    public DeepLagrangianNet(ModelSettings settings)
        : base(nameof(DeepLagrangianNet), settings with { Kind = ModelKind.Delan })
    {
        degrees = settings.InputDim / 2;
        int entries = degrees * (degrees + 1) / 2;
        mass = new Mlp(degrees, settings.HiddenDim, entries, settings.Nonlinearity);
        potential = new Mlp(degrees, settings.HiddenDim, 1, settings.Nonlinearity);
        var place = new float[entries * degrees * degrees];
        var diag = new bool[entries];
        int k = 0;
        for (int i = 0; i < degrees; i++)
        for (int j = 0; j <= i; j++, k++)
        {
            place[k * degrees * degrees + i * degrees + j] = 1;
            diag[k] = i == j;
        }
        placement = tensor(place).reshape(entries, degrees * degrees);
        diagonal = tensor(diag);
        register_buffer(nameof(placement), placement, persistent: false);
        register_buffer(nameof(diagonal), diagonal, persistent: false);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override StateCoordinates Coordinates => StateCoordinates.Velocity;

    /// <summary>C(q) [N, n, n]: lower triangular, its diagonal softplus of the network's outputs (positive).</summary>
    public Tensor Cholesky(Tensor q)
    {
        using var scope = NewDisposeScope();
        var raw = mass.forward(q);
        var entries = where(diagonal, Nonlinearity.Softplus.Apply(raw), raw);
        return entries.matmul(placement.to(raw.dtype)).reshape(-1, degrees, degrees).MoveToOuterDisposeScope();
    }

    /// <summary>M(q) = C(q)C(q)ᵀ + εI [N, n, n], positive definite.</summary>
    public Tensor MassMatrix(Tensor q)
    {
        using var scope = NewDisposeScope();
        var c = Cholesky(q);
        var identity = eye(degrees, dtype: q.dtype).unsqueeze(0);
        return c.matmul(c.transpose(1, 2)).Plus(identity.Times(MassFloor)).MoveToOuterDisposeScope();
    }

    /// <summary>The potential V(q) [N].</summary>
    public Tensor Potential(Tensor q)
    {
        using var v = potential.forward(q);
        return v.squeeze(1);
    }

    /// <summary>L = ½(|Cᵀq̇|² + ε|q̇|²) − V(q) at each state (q, q̇): [N].</summary>
    public Tensor Lagrangian(Tensor x)
    {
        using var scope = NewDisposeScope();
        var q = x.narrow(1, 0, degrees);
        var v = x.narrow(1, degrees, degrees);
        var u = Cholesky(q).transpose(1, 2).matmul(v.unsqueeze(2)).squeeze(2);
        var kinetic = u.Squared().sum(1).AddScaled(v.Squared().sum(1), MassFloor).Times(0.5);
        return kinetic.AddScaled(Potential(q), -1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// (q̇, q̈) for states (q, q̇) [N, 2n], q̈ by <see cref="EulerLagrange.Accelerations"/> on <see cref="Lagrangian"/>
    /// with no ridge (its velocity Hessian is M, positive definite). Autograd runs whatever the grad mode; without
    /// <paramref name="createGraph"/> the result is detached.
    /// </summary>
    public override Tensor TimeDerivative(Tensor x, bool createGraph)
    {
        using var scope = NewDisposeScope();
        var accelerations = EulerLagrange.Accelerations(Lagrangian, x, 0, createGraph);
        var velocities = x.narrow(1, degrees, degrees);
        if (!createGraph)
            velocities = velocities.detach();
        return cat([velocities, accelerations], 1).MoveToOuterDisposeScope();
    }
}

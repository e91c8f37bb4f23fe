using Hnn.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hnn.Models.PortHamiltonian;

/// <summary>
/// A port-Hamiltonian network, after the pseudo-Hamiltonian networks of SINTEF's phlearn (Eidnes et al. 2023) without
/// external forces: dx/dt = (J − R)∇H(x) with H(q, p) an MLP (float32, the paper's two hidden layers), J the canonical
/// structure [[0, I], [−I, 0]] and R = [[0, 0], [0, LLᵀ]] a damping that acts on the momenta only, L a learned constant
/// lower-triangular [n, n] matrix. R is positive semi-definite for every L, so the learned flow cannot create energy:
/// dH/dt = ∇Hᵀ(J − R)∇H = −∇ₚHᵀ LLᵀ ∇ₚH ≤ 0; with L = 0 it is an HNN.
/// </summary>
/// <remarks>
/// <para>
/// L is constant and its diagonal unconstrained. A softplus diagonal (a unique Cholesky factor, R definite) cannot reach
/// R = 0, the ideal tasks' truth, and the tasks' Adam weight decay would pull its raw diagonal to 0, that is to
/// L = ln 2·I and a damping of 0.48: a friction prior on every task. Decay on an unconstrained L pulls towards R = 0,
/// "no friction unless the data show it". A state-dependent L(x) would also fit friction that changes with the state;
/// the damped spring's friction (−γp) is constant, and the real pendulum's is measured in docs/model-families.md.
/// </para>
/// <para>L starts at 0.1·I (R = 0.01·I): away from L = 0, where the gradient of R = LLᵀ vanishes.</para>
/// </remarks>
public sealed class PortHamiltonianNet : DynamicsModel
{
    private readonly Mlp mlp;
    private readonly Parameter damping;

    /// <summary>L's starting diagonal.</summary>
    public const double InitialDampingFactor = 0.1;

    /// <summary>Creates a port-Hamiltonian network (its kind is set to <see cref="ModelKind.PortHnn"/>); the state dimension must be even.</summary>
    public PortHamiltonianNet(ModelSettings settings)
        : base(nameof(PortHamiltonianNet), settings with { Kind = ModelKind.PortHnn })
    {
        int n = settings.InputDim / 2;
        mlp = new Mlp(settings.InputDim, settings.HiddenDim, 1, settings.Nonlinearity);
        using (var identity = eye(n))
            damping = nn.Parameter(identity.Times(InitialDampingFactor));
        RegisterComponents();
    }

    /// <summary>The learned Hamiltonian H at each state: [N].</summary>
    public Tensor Hamiltonian(Tensor x)
    {
        using var h = mlp.forward(x);
        return h.squeeze(1);
    }

    /// <summary>The damping LLᵀ on the momenta [n, n] (symmetric, positive semi-definite), differentiable with respect to L.</summary>
    public Tensor DampingMatrix()
    {
        using var l = damping.tril();
        return l.matmul(l.t());
    }

    /// <summary>
    /// dx/dt = (J − R)∇H = (∂H/∂p, −∂H/∂q − LLᵀ∂H/∂p), ∇H by the MLP's written-out chain rule
    /// (<see cref="Mlp.InputGradient"/>), differentiable with respect to the weights when <paramref name="createGraph"/>.
    /// </summary>
    public override Tensor TimeDerivative(Tensor x, bool createGraph)
    {
        using var scope = NewDisposeScope();
        using var gradMode = createGraph ? enable_grad() : no_grad();
        long n = x.shape[1] / 2;
        var gradient = mlp.InputGradient(x, 0);
        var dHdq = gradient.narrow(1, 0, n);
        var dHdp = gradient.narrow(1, n, n);
        // Rows: (R ∂H/∂p)ᵀ = ∂H/∂pᵀ R, R symmetric.
        var friction = dHdp.matmul(DampingMatrix());
        return cat([dHdp, dHdq.neg() - friction], 1).MoveToOuterDisposeScope();
    }
}

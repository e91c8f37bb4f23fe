using Hnn.Tensors;
using static TorchSharp.torch;

namespace Hnn.Models.SympNets;

/// <summary>A state split into its halves: positions q [N, n] and momenta p [N, n].</summary>
public readonly record struct Halves(Tensor Q, Tensor P)
{
    /// <summary>Views of the two halves of states x [N, 2n] (no copy).</summary>
    public static Halves Of(Tensor x)
    {
        long n = x.shape[1] / 2;
        return new(x.narrow(1, 0, n), x.narrow(1, n, n));
    }

    /// <summary>The states [N, 2n] again.</summary>
    public Tensor Joined() => cat([Q, P], 1);
}

/// <summary>
/// A SympNet module: a symplectic map of states that moves them as halves (q, p). A step map runs its modules on the
/// halves and joins them once at the end, rather than splitting and joining around every shear (each a native call
/// and an autograd node; at the tasks' sizes the SympNets' step time is mostly such calls).
/// </summary>
public abstract class ShearModule : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the module.</summary>
    protected ShearModule(string name)
        : base(name) { }

    /// <summary>
    /// The module's image of the state (q, p); the halves it returns may be the ones it was given. Called inside a dispose
    /// scope (the step map's, or <see cref="forward"/>'s), which owns the tensors it makes.
    /// </summary>
    public abstract Halves Move(Halves x);

    /// <summary>The module's image of states x [N, 2n]: <see cref="Move"/> on their halves, joined.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return Move(Halves.Of(x)).Joined().MoveToOuterDisposeScope();
    }
}

/// <summary>Applying shears to states split into halves.</summary>
public static class Shears
{
    /// <summary>The other kind: modules alternate.</summary>
    public static ShearKind Other(this ShearKind kind) => kind == ShearKind.Kick ? ShearKind.Drift : ShearKind.Kick;

    /// <summary>
    /// (q, p + h·f(q)) for a kick, (q + h·f(p), p) for a drift: <paramref name="move"/> takes the half that stays and
    /// the half that moves and returns the moved one (h·f added in the same call where it can be); the half that stays is
    /// returned as it was given.
    /// </summary>
    public static Halves Apply(this ShearKind kind, Halves x, Func<Tensor, Tensor, Tensor> move) =>
        kind == ShearKind.Kick ? x with { P = move(x.Q, x.P) } : x with { Q = move(x.P, x.Q) };

    /// <summary>
    /// moving + h·(a @ b), a matrix product: one fused libtorch call (addmm, whose scale is a float, the precision of the
    /// float32 networks).
    /// </summary>
    public static Tensor AddMatmul(this Tensor moving, Tensor a, Tensor b, double h) => moving.addmm(a, b, 1f, (float)h);
}

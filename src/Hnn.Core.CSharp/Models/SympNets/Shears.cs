using Hnn.Tensors;
using static TorchSharp.torch;

namespace Hnn.Models.SympNets;

/// <summary>Applying shears to batches of states.</summary>
public static class Shears
{
    /// <summary>The other kind: modules alternate.</summary>
    public static ShearKind Other(this ShearKind kind) => kind == ShearKind.Kick ? ShearKind.Drift : ShearKind.Kick;

    /// <summary>
    /// (q, p + h·f(q)) for a kick, (q + h·f(p), p) for a drift, for states [N, 2n] and an increment f: [N, n] → [N, n].
    /// </summary>
    public static Tensor Apply(this ShearKind kind, Tensor x, Func<Tensor, Tensor> increment, double h)
    {
        using var scope = NewDisposeScope();
        long n = x.shape[1] / 2;
        var q = x.narrow(1, 0, n);
        var p = x.narrow(1, n, n);
        var moved = kind == ShearKind.Kick ? cat([q, p.AddScaled(increment(q), h)], 1) : cat([q.AddScaled(increment(p), h), p], 1);
        return moved.MoveToOuterDisposeScope();
    }
}

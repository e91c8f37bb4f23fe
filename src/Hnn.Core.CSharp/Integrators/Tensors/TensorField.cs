using static TorchSharp.torch;

namespace Hnn.Integrators;

/// <summary>Calls a tensor field and checks what comes back.</summary>
internal static class TensorField
{
    /// <summary>
    /// field(x), which must have the shape of <paramref name="like"/>: detached, so that no graph grows across stages
    /// and steps, unless <paramref name="keepGraph"/> (training through the integrator).
    /// </summary>
    public static Tensor Evaluate(Func<Tensor, Tensor> field, Tensor x, Tensor like, bool keepGraph = false)
    {
        var dxdt = field(x) ?? throw new ArgumentException("the field returned null", nameof(field));
        if (!dxdt.shape.SequenceEqual(like.shape))
            throw new ArgumentException(
                $"the field returned shape [{string.Join(", ", dxdt.shape)}] for states of shape [{string.Join(", ", like.shape)}]",
                nameof(field)
            );
        return keepGraph ? dxdt : dxdt.detach();
    }

    /// <summary>Checks a batch of initial states: a floating-point tensor [N, D].</summary>
    public static void CheckStates(Tensor x0, string name)
    {
        ArgumentNullException.ThrowIfNull(x0, name);
        if (x0.dim() != 2)
            throw new ArgumentException($"{name} must be a batch of states [N, D], got shape [{string.Join(", ", x0.shape)}]", name);
        if (!x0.is_floating_point())
            throw new ArgumentException($"{name} must be float32 or float64, got {x0.dtype}", name);
        if (x0.shape[0] < 1 || x0.shape[1] < 1)
            throw new ArgumentException($"{name} is empty: shape [{string.Join(", ", x0.shape)}]", name);
    }

    /// <summary>Index of the first row holding a non-finite value, or −1.</summary>
    public static long FirstNonFiniteRow(Tensor x)
    {
        using var scope = NewDisposeScope();
        var bad = x.isfinite().logical_not().any(1);
        if (!bad.any().item<bool>())
            return -1;
        return bad.to_type(ScalarType.Int64).argmax().item<long>();
    }
}

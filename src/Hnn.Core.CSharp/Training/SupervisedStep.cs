using Hnn.Integrators;
using Hnn.Tensors;
using static TorchSharp.torch;

namespace Hnn.Training;

/// <summary>
/// Differentiable integrator steps on a learned field, for integrator-supervised training: the tensor steppers of
/// <see cref="TensorOde"/> with the graph kept, so gradients flow through every stage into the weights (a solve
/// detaches its stages). Each row has its own time step (a column [N, 1]).
/// </summary>
public static class SupervisedStep
{
    /// <summary>The integrators available for supervision, by name.</summary>
    public static IReadOnlyList<string> Names { get; } = ["rk4", "leapfrog", "yoshida4"];

    /// <summary>The method of a name in <see cref="Names"/>.</summary>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known ones.</exception>
    public static IFixedStepMethod Parse(string name) =>
        name.ToLowerInvariant() switch
        {
            "rk4" => Rk4.Tableau,
            "leapfrog" => Leapfrog.Tableau,
            "yoshida4" => Yoshida4.Tableau,
            _ => throw new ArgumentException($"unknown integrator '{name}' for supervision (expected one of: {string.Join(", ", Names)})"),
        };

    /// <summary>Advances states x [N, D] by h [N, 1] in <paramref name="substeps"/> equal steps of <paramref name="method"/>.</summary>
    /// <exception cref="NotSupportedException">The method is not explicit (a Butcher tableau or a drift–kick table).</exception>
    public static Tensor Advance(IFixedStepMethod method, Func<Tensor, Tensor> field, Tensor x, Tensor h, int substeps)
    {
        if (method is not (ButcherTableau or DriftKickTableau))
            throw new NotSupportedException($"{method.Name} cannot be used for supervision");
        var step = TensorStepSize.PerRow(substeps == 1 ? h : h.DividedBy(substeps));
        var state = x;
        for (int i = 0; i < substeps; i++)
            state = TensorOde.Advance(method, field, state, step, keepGraph: true);
        return state;
    }
}

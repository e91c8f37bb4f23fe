using Hnn.Integrators;
using static TorchSharp.torch;

namespace Hnn.Training;

/// <summary>
/// Differentiable integrator steps on a learned field, for integrator-supervised training: unlike
/// <see cref="TensorOde"/> (which detaches stages for evaluation), gradients flow through every stage
/// into the weights. Each row may have its own time step (a column [N, 1]).
/// </summary>
public static class SupervisedStep
{
    /// <summary>The integrators available for supervision, by name.</summary>
    public static IReadOnlyList<string> Names { get; } = ["rk4", "leapfrog", "yoshida4"];

    /// <summary>The method of a name in <see cref="Names"/>.</summary>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known ones.</exception>
    public static IFixedStepMethod Parse(string name) => name.ToLowerInvariant() switch
    {
        "rk4" => Rk4.Tableau,
        "leapfrog" => Leapfrog.Tableau,
        "yoshida4" => Yoshida4.Tableau,
        _ => throw new ArgumentException($"unknown integrator '{name}' for supervision (expected one of: {string.Join(", ", Names)})"),
    };

    /// <summary>Advances states x [N, D] by h [N, 1] in <paramref name="substeps"/> equal steps of <paramref name="method"/>.</summary>
    public static Tensor Advance(IFixedStepMethod method, Func<Tensor, Tensor> field, Tensor x, Tensor h, int substeps)
    {
        var step = substeps == 1 ? h : h / substeps;
        var state = x;
        for (int i = 0; i < substeps; i++)
            state = method switch
            {
                ButcherTableau tableau => RungeKutta(tableau, field, state, step),
                DriftKickTableau table => DriftKick(table, field, state, step),
                _ => throw new NotSupportedException($"{method.Name} cannot be used for supervision"),
            };
        return state;
    }

    static Tensor RungeKutta(ButcherTableau tableau, Func<Tensor, Tensor> field, Tensor x, Tensor h)
    {
        var k = new Tensor[tableau.Stages];
        for (int i = 0; i < tableau.Stages; i++)
        {
            var xi = x;
            for (int j = 0; j < i; j++)
                if (tableau.A(i, j) != 0) xi = xi + h * tableau.A(i, j) * k[j];
            k[i] = field(xi);
        }
        var result = x;
        for (int i = 0; i < tableau.Stages; i++)
            if (tableau.B[i] != 0) result = result + h * tableau.B[i] * k[i];
        return result;
    }

    static Tensor DriftKick(DriftKickTableau table, Func<Tensor, Tensor> field, Tensor x, Tensor h)
    {
        long n = x.shape[1] / 2;
        var q = x[.., ..(int)n];
        var p = x[.., (int)n..];
        for (int i = 0; i < table.Kick.Count; i++)
        {
            if (table.Kick[i] != 0) p = p + h * table.Kick[i] * field(cat([q, p], 1))[.., (int)n..];
            if (i < table.Drift.Count && table.Drift[i] != 0) q = q + h * table.Drift[i] * field(cat([q, p], 1))[.., ..(int)n];
        }
        return cat([q, p], 1);
    }
}

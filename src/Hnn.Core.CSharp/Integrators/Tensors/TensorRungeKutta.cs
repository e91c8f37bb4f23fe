using static TorchSharp.torch;

namespace Hnn.Integrators;

/// <summary>The generic explicit Runge–Kutta step for any <see cref="ButcherTableau"/> on a batch of tensors [N, D].</summary>
internal static class TensorRungeKutta
{
    /// <summary>
    /// kᵢ = field(x + Σⱼ (h·aᵢⱼ)·kⱼ) for the stages i ≥ <paramref name="first"/> (those before are given in
    /// <paramref name="k"/>), detached unless <paramref name="keepGraph"/>; returns the last stage's input.
    /// Temporaries belong to the caller's dispose scope.
    /// </summary>
    public static Tensor Stages(
        ButcherTableau tableau,
        Func<Tensor, Tensor> field,
        Tensor x,
        TensorStepSize h,
        Tensor[] k,
        int first,
        bool keepGraph
    )
    {
        var input = x;
        for (int i = first; i < k.Length; i++)
        {
            input = Combine(x, h, tableau.Row(i), k);
            k[i] = TensorField.Evaluate(field, input, x, keepGraph);
        }
        return input;
    }

    /// <summary>x + Σⱼ (h·wⱼ)·kⱼ over the given weights, skipping zero weights; a new tensor.</summary>
    public static Tensor Combine(Tensor x, TensorStepSize h, ReadOnlySpan<double> weights, Tensor[] k)
    {
        var sum = x;
        for (int j = 0; j < weights.Length; j++)
            if (weights[j] != 0)
                sum = h.AddScaled(sum, k[j], weights[j]);
        return ReferenceEquals(sum, x) ? x.clone() : sum;
    }

    /// <summary>x(t + h); with <paramref name="keepGraph"/> gradients flow through every stage.</summary>
    public static Tensor Step(ButcherTableau tableau, Func<Tensor, Tensor> field, Tensor x, TensorStepSize h, bool keepGraph)
    {
        var k = new Tensor[tableau.Stages];
        Stages(tableau, field, x, h, k, 0, keepGraph);
        return Combine(x, h, tableau.Weights, k);
    }
}

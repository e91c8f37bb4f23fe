using static TorchSharp.torch;

namespace Hnn.Integrators;

/// <summary>The generic explicit Runge–Kutta step for any <see cref="ButcherTableau"/> on a batch of tensors [N, D].</summary>
internal static class TensorExplicitRungeKutta
{
    /// <summary>The stages kᵢ = field(x + h Σⱼ aᵢⱼ kⱼ), each detached. Temporaries belong to the caller's dispose scope.</summary>
    public static Tensor[] Stages(ButcherTableau tableau, Func<Tensor, Tensor> field, Tensor x, double h, Tensor? first = null)
    {
        var k = new Tensor[tableau.Stages];
        for (int i = 0; i < k.Length; i++)
        {
            if (i == 0 && first is not null)
            {
                k[0] = first;
                continue;
            }
            k[i] = TensorField.Evaluate(field, Combine(x, h, tableau.Row(i), k), x);
        }
        return k;
    }

    /// <summary>x + h Σⱼ wⱼ kⱼ over the first weights.Count stages.</summary>
    public static Tensor Combine(Tensor x, double h, IReadOnlyList<double> weights, Tensor[] k)
    {
        var sum = x;
        for (int j = 0; j < weights.Count; j++)
            if (weights[j] != 0) sum = sum.add(k[j], h * weights[j]);
        return ReferenceEquals(sum, x) ? x.clone() : sum;
    }

    /// <summary>x(t + h).</summary>
    public static Tensor Step(ButcherTableau tableau, Func<Tensor, Tensor> field, Tensor x, double h) =>
        Combine(x, h, tableau.B, Stages(tableau, field, x, h));
}

using System.Runtime.CompilerServices;

namespace Hnn.Integrators;

/// <summary>
/// The generic explicit Runge–Kutta step for any <see cref="ButcherTableau"/>, on a float64 batch; its stage and
/// combination loops also serve the adaptive solve (<see cref="AdaptiveTrajectory"/>).
/// </summary>
internal sealed class ExplicitRungeKuttaStepper : IStepper
{
    private readonly ButcherTableau tableau;
    private readonly BatchVectorField field;
    private readonly int count;
    private readonly double[][] k;
    private readonly double[] stage;

    /// <summary>Allocates the stage buffers for <paramref name="count"/> states of dimension <paramref name="dim"/>.</summary>
    public ExplicitRungeKuttaStepper(ButcherTableau tableau, BatchVectorField field, int count, int dim)
    {
        StepperArguments.CheckBatch(tableau, field, count, dim);
        this.tableau = tableau;
        this.field = field;
        this.count = count;
        k = NewStages(tableau, count * dim);
        stage = new double[count * dim];
    }

    /// <inheritdoc />
    public void Step(double t, Span<double> x, double h)
    {
        int n = stage.Length;
        StepperArguments.CheckState(x, n);
        Stages(tableau, field, t, x, h, k, stage, count, first: 0);
        Combine(x, h, tableau.Weights, k, x);
    }

    /// <summary>One buffer per stage for <paramref name="values"/> numbers each.</summary>
    internal static double[][] NewStages(ButcherTableau tableau, int values)
    {
        var k = new double[tableau.Stages][];
        for (int i = 0; i < k.Length; i++)
            k[i] = new double[values];
        return k;
    }

    /// <summary>
    /// kᵢ = field(t + cᵢh, x + h Σⱼ aᵢⱼ kⱼ) for the stages i ≥ <paramref name="first"/> (those before are given);
    /// leaves the last stage's input in <paramref name="stage"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Stages(
        ButcherTableau tableau,
        BatchVectorField field,
        double t,
        ReadOnlySpan<double> x,
        double h,
        double[][] k,
        double[] stage,
        int count,
        int first
    )
    {
        for (int i = first; i < k.Length; i++)
        {
            Combine(x, h, tableau.Row(i), k, stage);
            field(t + tableau.C[i] * h, stage, k[i], count);
        }
    }

    /// <summary>target = x + Σⱼ (h·wⱼ)·kⱼ over the given weights, skipping zero terms; target may be x itself.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Combine(ReadOnlySpan<double> x, double h, ReadOnlySpan<double> weights, double[][] k, Span<double> target)
    {
        x.CopyTo(target);
        int n = target.Length;
        for (int j = 0; j < weights.Length; j++)
        {
            double w = h * weights[j];
            if (w == 0)
                continue;
            var kj = k[j];
            for (int e = 0; e < n; e++)
                target[e] += w * kj[e];
        }
    }
}

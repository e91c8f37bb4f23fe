using Hnn.Tensors;
using static TorchSharp.torch;

namespace Hnn.Integrators;

/// <summary>
/// The tensor side of an adaptive solve (<see cref="AdaptiveLoop"/>): the whole batch [N, D] with one step size,
/// the error norm the worst row's RMS (so a batch of one takes the same steps as the float64
/// <see cref="AdaptiveTrajectory"/>). Each attempt's temporaries live in its own dispose scope.
/// </summary>
internal sealed class AdaptiveBatch : IAdaptiveWork
{
    private readonly ButcherTableau tableau;
    private readonly AdaptiveSettings settings;
    private readonly Func<Tensor, Tensor> field;
    private readonly Tensor output;
    private readonly Tensor x;
    private Tensor k0 = null!;
    private Tensor[] k = [];
    private Tensor xNew = null!;
    private Tensor kNew = null!;

    private AdaptiveBatch(ButcherTableau tableau, AdaptiveSettings settings, Func<Tensor, Tensor> field, Tensor x0, Tensor output)
    {
        this.tableau = tableau;
        this.settings = settings;
        this.field = field;
        this.output = output;
        x = x0.detach().clone();
    }

    /// <summary>Writes the states at tEval into output [N, T, D]; x0 is not modified. Tensors go to the caller's dispose scope.</summary>
    public static void Integrate(
        ButcherTableau tableau,
        Func<Tensor, Tensor> field,
        Tensor x0,
        double t0,
        ReadOnlySpan<double> tEval,
        AdaptiveSettings settings,
        Tensor output
    ) => AdaptiveLoop.Run(new AdaptiveBatch(tableau, settings, field, x0, output), settings, tableau.ErrorOrder!.Value, t0, tEval);

    public string Who => "batch";

    public IDisposable? BeginAttempt() => NewDisposeScope();

    public void WriteCurrent(int index) => output.select(1, index).copy_(x);

    public void WriteNew(int index) => output.select(1, index).copy_(xNew);

    public void WriteInterpolated(int index, double theta, double h)
    {
        var weights = new double[k.Length];
        tableau.DenseWeights(theta, weights);
        output.select(1, index).copy_(TensorRungeKutta.Combine(x, h, weights, k));
    }

    /// <summary>scipy's starting step (see <see cref="PiController"/>), with each norm taken as the worst over the batch.</summary>
    public double Start(double t0, double tEnd, PiController control)
    {
        k0 = TensorField.Evaluate(field, x, x);
        CheckFinite(k0, t0);
        using var scope = NewDisposeScope();
        double rtol = settings.RelativeTolerance,
            atol = settings.AbsoluteTolerance;
        double span = tEnd - t0;
        var scale = x.abs().Times(rtol).Plus(atol);
        double d0 = WorstRms(x.div(scale)),
            d1 = WorstRms(k0.div(scale));
        double h0 = PiController.TrialStep(d0, d1, span);
        var f1 = TensorField.Evaluate(field, x.AddScaled(k0, h0), x);
        double d2 = WorstRms(f1.sub(k0).div(scale)) / h0;
        return control.InitialStep(h0, d1, d2, span);
    }

    /// <summary>The stages after the first, the candidate x_new, and the worst row's RMS of the weighted error estimate.</summary>
    public double Attempt(double t, double h)
    {
        k = new Tensor[tableau.Stages];
        k[0] = k0;
        var lastInput = TensorRungeKutta.Stages(tableau, field, x, h, k, first: 1, keepGraph: false);
        xNew = tableau.IsFirstSameAsLast ? lastInput : TensorRungeKutta.Combine(x, h, tableau.Weights, k);
        var error = TensorRungeKutta.Combine(zeros_like(x), h, tableau.ErrorWeights!, k);
        var scale = maximum(x.abs(), xNew.abs()).Times(settings.RelativeTolerance).Plus(settings.AbsoluteTolerance);
        var rowNorms = error.div(scale).Squared().mean([1]).sqrt();
        var worst = rowNorms.nan_to_num(double.PositiveInfinity, double.PositiveInfinity).max();
        return worst.to_type(ScalarType.Float64).item<double>();
    }

    public void Accept(double tNew)
    {
        kNew = tableau.IsFirstSameAsLast ? k[^1] : TensorField.Evaluate(field, xNew, x);
        CheckFinite(kNew, tNew);
    }

    public void Advance()
    {
        x.copy_(xNew);
        k0.copy_(kNew);
    }

    private static double WorstRms(Tensor v) => v.Squared().mean([1]).sqrt().max().to_type(ScalarType.Float64).item<double>();

    private static void CheckFinite(Tensor v, double t)
    {
        long row = TensorField.FirstNonFiniteRow(v);
        if (row >= 0)
            throw new InvalidOperationException($"trajectory {row}: the derivative became non-finite at t = {t:R}");
    }
}

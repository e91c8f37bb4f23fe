using Hnn.Tensors;
using static TorchSharp.torch;

namespace Hnn.Integrators;

/// <summary>
/// The tensor side of an adaptive solve (<see cref="AdaptiveLoop"/>): the whole batch [N, D] with one step size,
/// the error norm the worst row's RMS (so a batch of one takes the same steps as the float64
/// <see cref="AdaptiveTrajectory"/>). Each attempt's temporaries live in its own dispose scope.
/// With escape radii, a row whose state at the end of an accepted step has a 2-norm above its radius (or is not finite)
/// escapes: from then on it is held at its last state inside, its derivative is taken as 0 (so it adds no error and
/// the step size follows the rows still inside), and its samples from that step's end on are NaN.
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

    // Escape radii [N] (null: no row escapes), the rows still inside [N, 1], the zero derivative of a row held still,
    // each row's escape time (+∞ while inside), whether any row has escaped, and the last attempt's largest
    // ‖x_new‖ / radius (NaN if a row is not finite).
    private readonly Tensor? radii;
    private readonly Tensor? inside;
    private readonly Tensor? zero;
    private readonly double[] escapedAt;
    private bool escaped;
    private double reach;

    private AdaptiveBatch(
        ButcherTableau tableau,
        AdaptiveSettings settings,
        Func<Tensor, Tensor> field,
        Tensor x0,
        Tensor output,
        Tensor? escapeRadii
    )
    {
        this.tableau = tableau;
        this.settings = settings;
        this.output = output;
        x = x0.detach().clone();
        escapedAt = new double[x0.shape[0]];
        Array.Fill(escapedAt, double.PositiveInfinity);
        if (escapeRadii is null)
        {
            this.field = field;
            return;
        }
        radii = escapeRadii.detach().to_type(x0.dtype).to(x0.device);
        inside = ones([x0.shape[0], 1], ScalarType.Bool, x0.device);
        zero = zeros_like(x);
        // Until a row escapes, the field as it is: a solve no row leaves computes what it computes without radii.
        this.field = state => escaped ? where(inside, field(state), zero) : field(state);
    }

    /// <summary>
    /// Writes the states at tEval into output [N, T, D] (NaN after a row escapes its radius, if <paramref name="escapeRadii"/>
    /// [N] is given); x0 is not modified. Tensors go to the caller's dispose scope.
    /// </summary>
    public static void Integrate(
        ButcherTableau tableau,
        Func<Tensor, Tensor> field,
        Tensor x0,
        double t0,
        ReadOnlySpan<double> tEval,
        AdaptiveSettings settings,
        Tensor output,
        Tensor? escapeRadii = null
    )
    {
        var work = new AdaptiveBatch(tableau, settings, field, x0, output, escapeRadii);
        AdaptiveLoop.Run(work, settings, tableau.ErrorOrder!.Value, t0, tEval);
        work.BlankEscaped(tEval);
    }

    /// <summary>NaN in every sample of an escaped row at or after its escape time.</summary>
    private void BlankEscaped(ReadOnlySpan<double> tEval)
    {
        if (!escaped)
            return;
        using var scope = NewDisposeScope();
        var after = new bool[escapedAt.Length * tEval.Length];
        for (int row = 0; row < escapedAt.Length; row++)
        for (int i = 0; i < tEval.Length; i++)
            after[row * tEval.Length + i] = tEval[i] >= escapedAt[row];
        var mask = tensor(after, [escapedAt.Length, tEval.Length, 1], device: output.device);
        output.copy_(where(mask, output.FullLike(double.NaN), output));
    }

    /// <summary>
    /// Marks the rows of <paramref name="candidate"/> outside their radius (or not finite) as escaped at <paramref name="t"/>,
    /// and returns the candidate with those rows put back to <paramref name="held"/>; the candidate itself if none escape.
    /// </summary>
    private Tensor Escape(Tensor candidate, Tensor held, double t)
    {
        var leaving = inside!.logical_and(candidate.norm(1, true).le(radii!.unsqueeze(1)).logical_not());
        if (!leaving.any().item<bool>())
            return candidate;
        foreach (long row in leaving.squeeze(1).nonzero().squeeze(1).data<long>().ToArray())
            escapedAt[row] = t;
        inside.logical_and_(leaving.logical_not());
        escaped = true;
        return where(leaving, held, candidate);
    }

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
        if (radii is not null)
        {
            // A start outside its radius escapes at once; the zero state it is held at is finite.
            using var start = NewDisposeScope();
            x.copy_(Escape(x, zero!, t0));
        }
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

    /// <summary>
    /// The stages after the first, the candidate x_new, and the worst row's RMS of the weighted error estimate; with escape
    /// radii also the farthest row's reach, read in the same synchronisation.
    /// </summary>
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
        if (radii is null)
            return worst.to_type(ScalarType.Float64).item<double>();
        var both = stack([worst, xNew.norm(1).div(radii).max()]).to_type(ScalarType.Float64).data<double>().ToArray();
        reach = both[1];
        return both[0];
    }

    public void Accept(double tNew)
    {
        if (radii is not null && !(reach <= 1))
            xNew = Escape(xNew, x, tNew);
        // The last stage of a row escaping now was evaluated outside; held at its old state, it does not move.
        kNew =
            !tableau.IsFirstSameAsLast ? TensorField.Evaluate(field, xNew, x)
            : escaped ? where(inside!, k[^1], zero!)
            : k[^1];
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

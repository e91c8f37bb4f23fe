using Hnn.Systems;
using Hnn.Training;

namespace Hnn.Evaluation;

/// <summary>
/// The metrics learned-dynamics benchmarks report beside energy and rollout MSE, per path of <see cref="Rollouts"/>
/// (float64): the valid prediction time and the relative energy error at a fixed horizon, and the median they are
/// summarised with.
/// </summary>
public static class BenchmarkMetrics
{
    /// <summary>
    /// The valid-prediction-time threshold ε on the normalised error ‖x̂(t) − x(t)‖ / ‖x(t)‖: 0.1, a 10 % state error
    /// (reservoir-computing papers use 0.4–0.5 on an error normalised by the attractor's RMS size, e.g. Pathak et al.
    /// 2018; a per-time relative norm at 0.1 is the stricter, scale-free form).
    /// </summary>
    public const double ValidPredictionThreshold = 0.1;

    /// <summary>The horizon of the relative energy error: 20 time units (the published double-pendulum figure's).</summary>
    public const double EnergyErrorHorizon = 20.0;

    /// <summary>
    /// The valid prediction time of path <paramref name="k"/>: the first time, counted from <c>Times[0]</c>, at which
    /// e(t) = ‖x̂(t) − x(t)‖ / ‖x(t)‖ exceeds <paramref name="threshold"/>, the crossing placed by linear interpolation of
    /// e between the last sample at or below the threshold and the first above it; the whole horizon
    /// <c>Times[^1] − Times[0]</c> if e never exceeds it; 0 if it does at the start. A reference state at the origin
    /// (‖x‖ = 0) counts as exceeded unless the model's is there too.
    /// </summary>
    public static double ValidPredictionTime(Rollouts r, int k, double threshold = ValidPredictionThreshold)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (!(threshold > 0 && double.IsFinite(threshold)))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "must be positive and finite");
        var times = r.Times;
        double previous = 0;
        for (int i = 0; i < times.Length; i++)
        {
            double e = NormalisedError(r.ReferenceState(k, i), r.ModelState(k, i));
            if (!(e <= threshold))
            {
                if (i == 0)
                    return 0;
                double fraction = double.IsFinite(e) ? (threshold - previous) / (e - previous) : 0;
                return times[i - 1] - times[0] + fraction * (times[i] - times[i - 1]);
            }
            previous = e;
        }
        return times[^1] - times[0];
    }

    /// <summary>‖model − reference‖ / ‖reference‖ (0 if both are the origin, +∞ if only the reference is).</summary>
    public static double NormalisedError(ReadOnlySpan<double> reference, ReadOnlySpan<double> model)
    {
        double difference = 0,
            size = 0;
        for (int j = 0; j < reference.Length; j++)
        {
            double d = model[j] - reference[j];
            difference += d * d;
            size += reference[j] * reference[j];
        }
        if (size == 0)
            return difference == 0 ? 0 : double.PositiveInfinity;
        return Math.Sqrt(difference / size);
    }

    /// <summary>
    /// The index of the evaluation time at which the energy error is read: the last time at most
    /// <paramref name="horizon"/> after <c>times[0]</c> (the last time if the horizon is longer than the path).
    /// </summary>
    public static int HorizonIndex(ReadOnlySpan<double> times, double horizon = EnergyErrorHorizon)
    {
        int i = times.Length - 1;
        // A tolerance of a few ulps: linspace(0, 20, n) may end at 20 + 1 ulp.
        while (i > 0 && times[i] - times[0] > horizon * (1 + 1e-12))
            i--;
        return i;
    }

    /// <summary>
    /// |H(x̂(t)) − H₀| / |H₀| of path <paramref name="k"/> at the time <see cref="HorizonIndex"/> picks, with H the
    /// system's true energy and H₀ = H at the reference path's start (the model starts there too).
    /// </summary>
    public static double RelativeEnergyError(IHamiltonianSystem system, Rollouts r, int k, double horizon = EnergyErrorHorizon)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(r);
        double start = system.Energy(r.ReferenceState(k, 0));
        double end = system.Energy(r.ModelState(k, HorizonIndex(r.Times, horizon)));
        return Math.Abs(end - start) / Math.Abs(start);
    }

    /// <summary>
    /// The median of <paramref name="values"/> (a non-finite value counts as +∞, e.g. a diverged path) ± a robust
    /// standard error of the median, 1.2533·σ̂/√n with σ̂ = IQR/1.349 (both factors exact for normal data; 0 for one value).
    /// </summary>
    public static LossEstimate MedianWithError(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
            throw new ArgumentException("need at least one value");
        var sorted = values.Select(v => double.IsNaN(v) ? double.PositiveInfinity : v).OrderBy(v => v).ToArray();
        double median = Quantile(sorted, 0.5);
        if (sorted.Length < 2)
            return new LossEstimate(median, 0);
        double iqr = Quantile(sorted, 0.75) - Quantile(sorted, 0.25);
        return new LossEstimate(median, 1.2533 * (iqr / 1.349) / Math.Sqrt(sorted.Length));
    }

    /// <summary>The q-quantile of sorted values, linear between order statistics (numpy's default).</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
            throw new ArgumentException("need at least one value");
        double position = q * (sorted.Count - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Count - 1);
        double w = position - below;
        return w == 0 ? sorted[below] : sorted[below] + w * (sorted[above] - sorted[below]);
    }
}

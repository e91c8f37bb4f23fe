using Hnn.Data;
using Hnn.Integrators;
using Hnn.Models;
using Hnn.Models.Lagrangian;
using Hnn.Models.SympNets;
using Hnn.Systems;
using Hnn.Tensors;
using static TorchSharp.torch;

namespace Hnn.Evaluation;

/// <summary>
/// A trained model's paths from canonical starts, whatever its family, in float64 (the model's float64 copy,
/// <see cref="ModelField.ToFloat64"/>): a vector field is integrated with Dormand–Prince 5(4); a Lagrangian network's
/// field too, from the starts mapped to velocity coordinates and with its path mapped back to (q, p)
/// (<see cref="VelocityCoordinates"/>); a step map is iterated and sampled at multiples of its step.
/// Given the reference paths, a path that leaves <see cref="EscapeFactor"/> times its reference's size has diverged: from the
/// first time it is seen outside (at a sample, or at the end of an integrator step) its samples are NaN and it is integrated
/// no further, so a diverging model's evaluation costs what a good one's does.
/// </summary>
public static class ModelRollout
{
    /// <summary>
    /// A model path k has diverged once the 2-norm of its state exceeds this factor times the largest 2-norm of reference path
    /// k over the horizon (in the coordinates the model is integrated in). Its normalised error is then above
    /// 100 − 1 = 99, far past the valid-prediction threshold of 0.1, so the valid prediction time is the one the whole path
    /// would give, up to the sample interval in which it left; and a pendulum's angle does not get there by turning over
    /// unless it turns some hundred times faster than the truth moves.
    /// </summary>
    public const double EscapeFactor = 100;

    /// <summary>
    /// The model's paths [K, T, D] (row-major, canonical) from <paramref name="starts"/> [K, D] at <c>times[0]</c>,
    /// sampled at <paramref name="times"/>.
    /// </summary>
    /// <param name="model">Any trained model.</param>
    /// <param name="starts">Canonical starts (q, p).</param>
    /// <param name="times">Ascending sample times; for a step map, multiples of its step after <c>times[0]</c> (<see cref="OnStepGrid"/>).</param>
    /// <param name="rtol">Relative tolerance of the integration (fields).</param>
    /// <param name="atol">Absolute tolerance of the integration (fields).</param>
    /// <param name="system">The known system, whose kinetic energy maps a Lagrangian network's coordinates; null if none.</param>
    /// <param name="reference">
    /// The reference paths [K, T, D] (row-major, canonical) at <paramref name="times"/>, or null. Given, a path that leaves
    /// <see cref="EscapeFactor"/> times its reference's size (or the finite numbers) is stopped there and NaN from then on;
    /// without, a path that leaves the finite numbers throws.
    /// </param>
    /// <exception cref="InvalidOperationException">
    /// The path left the finite numbers (without a reference), a step map was asked for times off its grid, or a Lagrangian
    /// network has no system to map its coordinates with.
    /// </exception>
    /// <exception cref="ArgumentException">The reference paths are not [K, T, D].</exception>
    public static double[] Paths(
        DynamicsModel model,
        StateMatrix starts,
        double[] times,
        double rtol,
        double atol,
        IHamiltonianSystem? system,
        double[]? reference = null
    )
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(starts);
        ArgumentNullException.ThrowIfNull(times);
        if (reference is not null && reference.Length != starts.Rows * times.Length * starts.Columns)
            throw new ArgumentException(
                $"the reference paths hold {reference.Length} numbers, not {starts.Rows} paths × {times.Length} times × {starts.Columns}",
                nameof(reference)
            );
        if (model is StepMap map)
            return Iterate(map, starts, times, EscapeRadii(reference, starts.Rows, starts.Columns));
        if (model.Coordinates == StateCoordinates.Velocity)
        {
            if (system is null)
                throw new InvalidOperationException(
                    "a Lagrangian network's path needs the system's kinetic energy to map (q, p) to (q, q̇) and back, and there is no known system"
                );
            var velocityStarts = VelocityCoordinates.FromCanonical(system, starts);
            var velocityReference = reference is null
                ? null
                : VelocityCoordinates
                    .FromCanonical(system, new StateMatrix(reference, reference.Length / starts.Columns, starts.Columns))
                    .Values;
            var velocityPaths = Integrate(
                model,
                velocityStarts,
                times,
                rtol,
                atol,
                EscapeRadii(velocityReference, starts.Rows, starts.Columns)
            );
            return VelocityCoordinates
                .ToCanonical(system, new StateMatrix(velocityPaths, velocityPaths.Length / starts.Columns, starts.Columns))
                .Values;
        }
        return Integrate(model, starts, times, rtol, atol, EscapeRadii(reference, starts.Rows, starts.Columns));
    }

    /// <summary>
    /// <see cref="EscapeFactor"/> times the largest 2-norm of each reference path's states (rows of
    /// <paramref name="dimension"/> numbers), one per path of <paramref name="count"/>; null without reference paths.
    /// </summary>
    static double[]? EscapeRadii(double[]? reference, int count, int dimension)
    {
        if (reference is null)
            return null;
        int perPath = reference.Length / count;
        var radii = new double[count];
        for (int k = 0; k < count; k++)
        {
            double largest = 0;
            for (int at = k * perPath; at < (k + 1) * perPath; at += dimension)
            {
                double squares = 0;
                foreach (double v in reference.AsSpan(at, dimension))
                    squares += v * v;
                largest = Math.Max(largest, squares);
            }
            radii[k] = EscapeFactor * Math.Sqrt(largest);
        }
        return radii;
    }

    /// <summary>
    /// <paramref name="times"/> if each lies a whole number of steps h after the first (to 1e-6·h); otherwise the
    /// multiples of h from the first time over the same horizon, t₀ + k·h for k = 0 … ⌊(T − t₀)/h⌋. A step map is
    /// sampled at these.
    /// </summary>
    public static double[] OnStepGrid(double[] times, double h)
    {
        ArgumentNullException.ThrowIfNull(times);
        if (times.Length == 0)
            throw new ArgumentException("no times");
        if (!(h > 0 && double.IsFinite(h)))
            throw new ArgumentOutOfRangeException(nameof(h), h, "must be positive and finite");
        if (StepIndices(times, h) is not null)
            return times;
        int last = (int)Math.Floor((times[^1] - times[0]) / h + 1e-9);
        return Enumerable.Range(0, last + 1).Select(k => times[0] + k * h).ToArray();
    }

    /// <summary>The number of steps from times[0] to each time, or null if one is not a whole number of steps or they do not increase.</summary>
    static int[]? StepIndices(double[] times, double h)
    {
        var steps = new int[times.Length];
        for (int i = 0; i < times.Length; i++)
        {
            double k = Math.Round((times[i] - times[0]) / h);
            if (Math.Abs(times[i] - times[0] - k * h) > 1e-6 * h || k > int.MaxValue)
                return null;
            steps[i] = (int)k;
            if (i > 0 && steps[i] <= steps[i - 1])
                return null;
        }
        return steps;
    }

    static double[] Integrate(DynamicsModel model, StateMatrix starts, double[] times, double rtol, double atol, double[]? escapeRadii)
    {
        using var scope = NewDisposeScope();
        using var model64 = ModelField.ToFloat64(model);
        var x0 = starts.ToTensor(ScalarType.Float64);
        var paths = TensorOde.Solve(
            ModelField.Of(model64),
            DormandPrince45.Tableau,
            x0,
            times[0],
            times,
            new AdaptiveSettings(rtol, atol),
            escapeRadii: escapeRadii is null ? null : tensor(escapeRadii)
        );
        return Diverged(paths, escapeRadii).contiguous().data<double>().ToArray();
    }

    /// <summary>
    /// The map iterated from the starts and sampled at <paramref name="times"/>; with escape radii, a path whose sample lies
    /// outside its radius (or is not finite) is NaN from that sample on, and without them a non-finite iterate throws.
    /// </summary>
    static double[] Iterate(StepMap map, StateMatrix starts, double[] times, double[]? escapeRadii)
    {
        var steps =
            StepIndices(times, map.StepSize)
            ?? throw new InvalidOperationException(
                $"a step map of step {map.StepSize:G6} can be sampled at whole numbers of steps only, and these times are not"
            );
        using var scope = NewDisposeScope();
        using var map64 = (StepMap)ModelField.ToFloat64(map);
        using var gradMode = no_grad();
        var x = starts.ToTensor(ScalarType.Float64);
        var samples = new Tensor[times.Length];
        int step = 0;
        for (int i = 0; i < times.Length; i++)
        {
            while (step < steps[i])
            {
                using var inner = NewDisposeScope();
                x = map64.Step(x).MoveToOuterDisposeScope();
                step++;
            }
            if (escapeRadii is null && !isfinite(x).all().item<bool>())
                throw new InvalidOperationException($"the step map's iterates left the finite numbers by step {step} (t = {times[i]:G6})");
            samples[i] = x;
        }
        return Diverged(stack(samples, 1), escapeRadii).contiguous().data<double>().ToArray();
    }

    /// <summary>
    /// Paths [K, T, D] with NaN from each path's first sample outside its radius (or not finite) on; the paths themselves
    /// without radii.
    /// </summary>
    static Tensor Diverged(Tensor paths, double[]? escapeRadii)
    {
        if (escapeRadii is null)
            return paths;
        var outside = paths.norm(2, true).le(tensor(escapeRadii).view(-1, 1, 1)).logical_not();
        // Outside at a sample or at any earlier one: the running count of samples outside is positive.
        var gone = outside.to_type(ScalarType.Int64).cumsum(1).gt(tensor(0L));
        return where(gone, paths.FullLike(double.NaN), paths);
    }
}

using Hnn.Data;
using Hnn.Integrators;
using Hnn.Models;
using Hnn.Models.Lagrangian;
using Hnn.Models.SympNets;
using Hnn.Systems;
using static TorchSharp.torch;

namespace Hnn.Evaluation;

/// <summary>
/// A trained model's paths from canonical starts, whatever its family, in float64 (the model's float64 copy,
/// <see cref="ModelField.ToFloat64"/>): a vector field is integrated with Dormand–Prince 5(4); a Lagrangian network's
/// field too, from the starts mapped to velocity coordinates and with its path mapped back to (q, p)
/// (<see cref="VelocityCoordinates"/>); a step map is iterated and sampled at multiples of its step.
/// </summary>
public static class ModelRollout
{
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
    /// <exception cref="InvalidOperationException">
    /// The path left the finite numbers, a step map was asked for times off its grid, or a Lagrangian network has no system
    /// to map its coordinates with.
    /// </exception>
    public static double[] Paths(
        DynamicsModel model,
        StateMatrix starts,
        double[] times,
        double rtol,
        double atol,
        IHamiltonianSystem? system
    )
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(starts);
        ArgumentNullException.ThrowIfNull(times);
        if (model is StepMap map)
            return Iterate(map, starts, times);
        if (model.Coordinates == StateCoordinates.Velocity)
        {
            if (system is null)
                throw new InvalidOperationException(
                    "a Lagrangian network's path needs the system's kinetic energy to map (q, p) to (q, q̇) and back, and there is no known system"
                );
            var velocityStarts = VelocityCoordinates.FromCanonical(system, starts);
            var velocityPaths = Integrate(model, velocityStarts, times, rtol, atol);
            return VelocityCoordinates
                .ToCanonical(system, new StateMatrix(velocityPaths, velocityPaths.Length / starts.Columns, starts.Columns))
                .Values;
        }
        return Integrate(model, starts, times, rtol, atol);
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

    static double[] Integrate(DynamicsModel model, StateMatrix starts, double[] times, double rtol, double atol)
    {
        using var scope = NewDisposeScope();
        using var model64 = ModelField.ToFloat64(model);
        var x0 = starts.ToTensor(ScalarType.Float64);
        var paths = TensorOde.Solve(ModelField.Of(model64), DormandPrince45.Tableau, x0, times[0], times, new AdaptiveSettings(rtol, atol));
        return paths.contiguous().data<double>().ToArray();
    }

    static double[] Iterate(StepMap map, StateMatrix starts, double[] times)
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
            if (!isfinite(x).all().item<bool>())
                throw new InvalidOperationException($"the step map's iterates left the finite numbers by step {step} (t = {times[i]:G6})");
            samples[i] = x;
        }
        return stack(samples, 1).contiguous().data<double>().ToArray();
    }
}

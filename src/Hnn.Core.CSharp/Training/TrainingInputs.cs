using Hnn.Data;
using Hnn.Models;
using Hnn.Models.Lagrangian;
using Hnn.Systems;

namespace Hnn.Training;

/// <summary>What a model of some kind is built with and trains on, made from a task's canonical dataset.</summary>
/// <param name="Settings">The model's settings, completed from the data (a step map's step size).</param>
/// <param name="Data">The dataset in the model's coordinates (velocity coordinates for a Lagrangian network).</param>
public sealed record TrainingInputs(ModelSettings Settings, Dataset Data)
{
    /// <summary>
    /// The settings and data a model of <paramref name="settings"/>' kind needs, from a canonical dataset: a step map
    /// gets the spacing h of the data's consecutive states as its step size (every transition of the training timeline
    /// must be h apart, to 1e-6 relative); a Lagrangian network gets the data in velocity coordinates through
    /// <paramref name="system"/>'s kinetic energy (<see cref="VelocityCoordinates.FromCanonical(IHamiltonianSystem, Dataset)"/>);
    /// every other model gets them as they are.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A step map's data have no timeline or uneven steps, or a Lagrangian network's task has no known system.
    /// </exception>
    public static TrainingInputs For(ModelSettings settings, Dataset data, IHamiltonianSystem? system)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(data);
        if (ModelSettings.IsStepMap(settings.Kind))
            return new(settings with { StepSize = StepSize(data) }, data);
        if (settings.Kind is ModelKind.Lnn or ModelKind.Delan)
        {
            if (system is null)
                throw new ArgumentException(
                    $"a Lagrangian network learns in velocity coordinates (q, q̇), and dataset '{data.Name}' is canonical (q, p) with no known system to map it with (its kinetic energy q̇ = ∂H/∂p)"
                );
            return new(settings, VelocityCoordinates.FromCanonical(system, data));
        }
        return new(settings, data);
    }

    /// <summary>The common time step of the training timeline's transitions.</summary>
    /// <exception cref="ArgumentException">There are none, or they are not all equal.</exception>
    public static double StepSize(Dataset data)
    {
        var pairs =
            data.TrainTimeline?.Pairs()
            ?? throw new ArgumentException($"dataset '{data.Name}' has no times and trajectory ids, so a step map cannot learn from it");
        if (pairs.Count == 0)
            throw new ArgumentException($"dataset '{data.Name}' has no consecutive states for a step map to learn from");
        double h = pairs.Dt.Average();
        double lo = pairs.Dt.Min(),
            hi = pairs.Dt.Max();
        if (hi - lo > 1e-6 * h)
            throw new ArgumentException(
                $"a step map needs evenly spaced states, and dataset '{data.Name}' has steps from {lo:G6} to {hi:G6}"
            );
        return h;
    }
}

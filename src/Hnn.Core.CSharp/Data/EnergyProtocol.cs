using Hnn.Systems;

namespace Hnn.Data;

/// <summary>
/// The initial states and evaluation times of a task's energy comparison: integrate the true system and each
/// model from every initial state to <see cref="Times"/>, then compare the true energy along both paths.
/// </summary>
/// <param name="Name">The task, e.g. "pendulum".</param>
/// <param name="System">The true system (its energy is the one compared).</param>
/// <param name="InitialStates">Initial states [K, D], all at time <c>Times[0]</c>.</param>
/// <param name="Times">Evaluation times, increasing; integration starts at <c>Times[0]</c>.</param>
/// <param name="Rtol">Relative tolerance to integrate with.</param>
/// <param name="Atol">Absolute tolerance to integrate with.</param>
/// <param name="Measured">For measured data (the real pendulum), the observed trajectory over <see cref="Times"/>; otherwise null.</param>
public sealed record EnergyProtocol(
    string Name,
    IHamiltonianSystem System,
    StateMatrix InitialStates,
    double[] Times,
    double Rtol,
    double Atol,
    MeasuredTrajectory? Measured = null
)
{
    /// <summary>
    /// Task 1: <paramref name="count"/> (paper: 15) starts with each coordinate uniform in [−1, −0.2] ∪ [0.2, 1],
    /// t ∈ [0, 20] at 100 points.
    /// </summary>
    public static EnergyProtocol Spring(int seed = 0, int count = 15) =>
        new("spring", new MassSpring(), AwayFromZeroStarts(seed, count), Sampling.Linspace(0, 20, 100), 1e-10, 1e-10);

    /// <summary>
    /// The damped spring (beyond the paper): the spring's starts and times (15 starts in ±[0.2, 1], t ∈ [0, 20] at
    /// 100 points) for <paramref name="system"/>; the true energy decays about as e^(−γt).
    /// </summary>
    public static EnergyProtocol DampedSpring(DampedMassSpring system, int seed = 0, int count = 15) =>
        new("damped-spring", system, AwayFromZeroStarts(seed, count), Sampling.Linspace(0, 20, 100), 1e-10, 1e-10);

    /// <summary>
    /// Task 2: as <see cref="Spring"/> (15 starts in ±[0.2, 1], t ∈ [0, 20] at 100 points) for the ideal pendulum.
    /// These starts have smaller radius than the training data.
    /// </summary>
    public static EnergyProtocol Pendulum(int seed = 0, int count = 15) =>
        new("pendulum", Systems.Pendulum.Ideal, AwayFromZeroStarts(seed, count), Sampling.Linspace(0, 20, 100), 1e-10, 1e-10);

    /// <summary>
    /// Task 3: from the first state of the real pendulum's test span over the test times, with the fitted energy
    /// H = 2.4(1 − cos q) + p²; the measured test trajectory is attached for comparison.
    /// </summary>
    public static EnergyProtocol RealPendulum(RealPendulumRecipe recipe)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        var test = recipe.TestTrajectory();
        return new("real-pendulum", Systems.Pendulum.RealAnalysis, test.States.Slice(0, 1), test.Times, 1e-10, 1e-10, test);
    }

    /// <summary>Task 4: <paramref name="count"/> (paper: 15) orbits, orbit k drawn as the first orbit of seed k; t ∈ [0, 25] at 500 points.</summary>
    public static EnergyProtocol TwoBody(int count = 15)
    {
        var x = new double[count * 8];
        for (int k = 0; k < count; k++)
            OrbitStarts.TwoBody(new Sampling(k), x.AsSpan(8 * k, 8));
        return new("two-body", NBody.TwoBody, new StateMatrix(x, count, 8), Sampling.Linspace(0, 25, 500), 1e-9, 1e-9);
    }

    /// <summary>Task 4b: <paramref name="count"/> (paper: 15) orbits, orbit k drawn as the first orbit of seed k; t ∈ [0, 3] at 500 points.</summary>
    public static EnergyProtocol ThreeBody(int count = 15)
    {
        var x = new double[count * 12];
        for (int k = 0; k < count; k++)
            OrbitStarts.ThreeBody(new Sampling(k), x.AsSpan(12 * k, 12));
        return new("three-body", NBody.ThreeBody, new StateMatrix(x, count, 12), Sampling.Linspace(0, 3, 500), 1e-9, 1e-9);
    }

    /// <summary>States (q, p) with each coordinate drawn from U(−0.8, 0.8) and pushed 0.2 away from zero; q then p per state.</summary>
    private static StateMatrix AwayFromZeroStarts(int seed, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var rng = new Sampling(seed);
        var x = new double[2 * count];
        for (int i = 0; i < x.Length; i++)
        {
            double u = rng.Uniform(-0.8, 0.8);
            x[i] = u + (u >= 0 ? 0.2 : -0.2);
        }
        return new StateMatrix(x, count, 2);
    }
}

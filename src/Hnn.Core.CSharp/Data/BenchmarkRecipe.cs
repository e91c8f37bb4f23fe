using System.Text.Json.Serialization;
using Hnn.Integrators;
using Hnn.Systems;

namespace Hnn.Data;

/// <summary>Draws one start state of a benchmark system into <paramref name="x"/> (float64).</summary>
public delegate void StartSampler(Sampling rng, Span<double> x);

/// <summary>
/// The recipe of the benchmark systems beyond the paper (double pendulum, Hénon–Heiles, oscillator chain, elastic
/// pendulum): <see cref="Trajectories"/> starts drawn by <see cref="Starts"/>, each integrated with Dormand–Prince 5(4)
/// in float64 to <see cref="Points"/> evenly spaced times on [0, <see cref="TimeSpan"/>]; rows are the sampled states,
/// targets the system's exact dx/dt there; noise N(0, NoiseStd²) on the states (not the targets); the last
/// <see cref="TestFraction"/> of the trajectories test. The cache identity is everything but the two delegates:
/// <see cref="Description"/> must name the system's parameters and the start region (change it when they change).
/// </summary>
/// <param name="System">The true system (closed-form float64 field).</param>
/// <param name="Starts">Draws a start state.</param>
/// <param name="Description">What the system and its starts are, e.g. "double pendulum m = l = 1, g = 9.81; θ ∈ [−1.5, 1.5]², p ∈ [−1, 1]²".</param>
/// <param name="Trajectories">Number of trajectories.</param>
/// <param name="Points">Samples per trajectory, both ends of [0, TimeSpan] included.</param>
/// <param name="TimeSpan">End time of each trajectory.</param>
/// <param name="NoiseStd">Gaussian noise added to the states (inputs), not to the targets.</param>
/// <param name="TestFraction">Fraction of trajectories, taken last, used for testing.</param>
/// <param name="Rtol">Relative tolerance of the integration.</param>
/// <param name="Atol">Absolute tolerance of the integration.</param>
/// <param name="Seed">Random seed of the starts (and of the noise, drawn after them).</param>
public sealed record BenchmarkRecipe(
    [property: JsonIgnore] IHamiltonianSystem System,
    [property: JsonIgnore] StartSampler Starts,
    string Description,
    int Trajectories = 200,
    int Points = 50,
    double TimeSpan = 5.0,
    double NoiseStd = 0.0,
    double TestFraction = 0.2,
    double Rtol = 1e-10,
    double Atol = 1e-10,
    int Seed = 0
)
{
    /// <summary><paramref name="count"/> start states [count, D] drawn in order from one <see cref="Sampling"/> of <paramref name="seed"/>.</summary>
    public StateMatrix DrawStarts(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        int d = System.Dimension;
        var rng = new Sampling(seed);
        var x = new double[count * d];
        for (int k = 0; k < count; k++)
            Starts(rng, x.AsSpan(k * d, d));
        return new StateMatrix(x, count, d);
    }

    /// <summary>Generates the dataset (see the type's summary).</summary>
    public Dataset Generate()
    {
        SampledTrajectories.CheckSizes(Trajectories, Points, TestFraction);
        if (!(NoiseStd >= 0 && double.IsFinite(NoiseStd)))
            throw new ArgumentException($"noise must be zero or positive and finite, got {NoiseStd}");
        int d = System.Dimension;
        var rng = new Sampling(Seed);
        var starts = new double[Trajectories * d];
        for (int k = 0; k < Trajectories; k++)
            Starts(rng, starts.AsSpan(k * d, d));
        var times = Sampling.Linspace(0, TimeSpan, Points);
        var system = System;
        BatchVectorField field = (t, x, dxdt, count) =>
        {
            for (int i = 0; i < count; i++)
                system.TimeDerivative(x.Slice(i * d, d), dxdt.Slice(i * d, d));
        };
        var (states, targets) = SampledTrajectories.Integrate(field, starts, Trajectories, d, times, Rtol, Atol);
        if (NoiseStd > 0)
            for (int i = 0; i < states.Length; i++)
                states[i] += NoiseStd * rng.Normal();
        int testTrajectories = Math.Clamp((int)Math.Round(Trajectories * TestFraction), 1, Trajectories - 1);
        return SampledTrajectories.TrainFirst(System.Name, states, targets, d, times, (Trajectories - testTrajectories) * Points);
    }

    /// <summary>
    /// The benchmark's energy protocol: <paramref name="count"/> starts from the same region, drawn with their own
    /// <paramref name="seed"/> (held out: no training trajectory starts there), integrated to
    /// <paramref name="points"/> evenly spaced times on [0, <paramref name="horizon"/>] at rtol = atol = 1e-9.
    /// </summary>
    public EnergyProtocol Protocol(string name, int count = 20, int seed = 1234, double horizon = 20.0, int points = 201) =>
        new(name, System, DrawStarts(count, seed), Sampling.Linspace(0, horizon, points), 1e-9, 1e-9);
}

/// <summary>Start regions of the benchmark systems (float64 draws, in a fixed order for a given seed).</summary>
public static class BenchmarkStarts
{
    /// <summary>Every coordinate j uniform in [lower[j], upper[j]], drawn in order.</summary>
    public static StartSampler Box(double[] lower, double[] upper)
    {
        ArgumentNullException.ThrowIfNull(lower);
        ArgumentNullException.ThrowIfNull(upper);
        if (lower.Length != upper.Length || lower.Length == 0)
            throw new ArgumentException($"box bounds of {lower.Length} and {upper.Length} coordinates");
        for (int j = 0; j < lower.Length; j++)
            if (!(lower[j] <= upper[j]))
                throw new ArgumentException($"box bound {j}: need lower ≤ upper, got {lower[j]} and {upper[j]}");
        var lo = (double[])lower.Clone();
        var hi = (double[])upper.Clone();
        return (rng, x) =>
        {
            if (x.Length != lo.Length)
                throw new ArgumentException($"a start has {lo.Length} coordinates, got room for {x.Length}");
            for (int j = 0; j < lo.Length; j++)
                x[j] = rng.Uniform(lo[j], hi[j]);
        };
    }

    /// <summary>
    /// Hénon–Heiles starts at energies E uniform in [<paramref name="energyMin"/>, <paramref name="energyMax"/>]
    /// (below the escape energy): E drawn first, then (x, y) uniform in [−r, r]² (r = <paramref name="positionMax"/>)
    /// until V(x, y) &lt; E, then the momentum's direction uniform on the circle, its size √(2(E − V)).
    /// Inside r = 0.5 every point with V &lt; E &lt; 1/6 lies in the bounded well (the saddles are at distance 1/λ).
    /// </summary>
    public static StartSampler HenonHeilesShell(HenonHeiles system, double energyMin, double energyMax, double positionMax = 0.5)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (!(0 < energyMin && energyMin <= energyMax && energyMax < system.EscapeEnergy))
            throw new ArgumentException(
                $"need 0 < energy min ≤ energy max < {system.EscapeEnergy} (the escape energy), got {energyMin} and {energyMax}"
            );
        if (!(positionMax > 0 && positionMax <= 0.5 / system.Lambda))
            throw new ArgumentOutOfRangeException(
                nameof(positionMax),
                positionMax,
                $"must be in (0, {0.5 / system.Lambda}] to stay inside the well"
            );
        return (rng, s) =>
        {
            if (s.Length != 4)
                throw new ArgumentException($"a Hénon–Heiles start has 4 coordinates, got room for {s.Length}");
            double e = rng.Uniform(energyMin, energyMax);
            double x,
                y,
                v;
            do
            {
                x = rng.Uniform(-positionMax, positionMax);
                y = rng.Uniform(-positionMax, positionMax);
                v = system.Potential(x, y);
            } while (v >= e);
            double angle = rng.Uniform(0, 2 * Math.PI);
            double p = Math.Sqrt(2 * (e - v));
            s[0] = x;
            s[1] = y;
            s[2] = p * Math.Cos(angle);
            s[3] = p * Math.Sin(angle);
        };
    }
}

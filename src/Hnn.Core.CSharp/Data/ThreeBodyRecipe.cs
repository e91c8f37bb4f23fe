using Hnn.Systems;

namespace Hnn.Data;

/// <summary>The paper's three-body recipe (Task 4b of the spec): three unit masses, G = 1, perturbed rotating triangles (chaotic).</summary>
/// <param name="Orbits">Number of orbits (paper: 5000).</param>
/// <param name="Points">Samples per orbit over [0, TimeSpan], both ends included (paper: 20).</param>
/// <param name="TimeSpan">End time (paper: 5).</param>
/// <param name="RadiusMin">Smallest start radius of body 1 (paper: 0.9).</param>
/// <param name="RadiusMax">Largest start radius of body 1 (paper: 1.2).</param>
/// <param name="VelocityNoise">Each velocity component is multiplied by 1 + VelocityNoise·U(−1, 1) (paper: 0.2).</param>
/// <param name="TestFraction">Fraction of rows, taken first, used for testing (paper: 0.2).</param>
/// <param name="Rtol">Relative tolerance of the integration (reference: 1e-9).</param>
/// <param name="Atol">Absolute tolerance of the integration (the reference left scipy's 1e-6; here equal to Rtol).</param>
/// <param name="Seed">Random seed (paper: 0).</param>
public sealed record ThreeBodyRecipe(
    int Orbits = 5000,
    int Points = 20,
    double TimeSpan = 5.0,
    double RadiusMin = 0.9,
    double RadiusMax = 1.2,
    double VelocityNoise = 0.2,
    double TestFraction = 0.2,
    double Rtol = 1e-9,
    double Atol = 1e-9,
    int Seed = 0
)
{
    /// <summary>The system the data comes from.</summary>
    public static NBody System => NBody.ThreeBody;

    /// <summary>
    /// Generates the dataset: <see cref="Orbits"/> starts drawn by <see cref="OrbitStarts.ThreeBody"/> from one
    /// <see cref="Sampling"/> of <see cref="Seed"/>, integrated with Dormand–Prince 5(4) in float64; rows are the
    /// sampled states q = (x1, x2, x3, y1, y2, y3), p likewise, orbit by orbit, targets the exact dynamics there.
    /// No noise. Split: the first ⌊TestFraction·N⌋ rows test, the rest train.
    /// </summary>
    public Dataset Generate()
    {
        if (Orbits < 1)
            throw new ArgumentException($"need at least 1 orbit, got {Orbits}");
        if (Points < 2)
            throw new ArgumentException($"need at least 2 points per orbit, got {Points}");
        if (!(TestFraction > 0 && TestFraction < 1))
            throw new ArgumentException($"test fraction must be in (0, 1), got {TestFraction}");
        var rng = new Sampling(Seed);
        var starts = new double[12 * Orbits];
        for (int k = 0; k < Orbits; k++)
            OrbitStarts.ThreeBody(rng, starts.AsSpan(12 * k, 12), RadiusMin, RadiusMax, VelocityNoise);
        var times = Sampling.Linspace(0, TimeSpan, Points);
        var (x, dx) = SampledTrajectories.Integrate(System.BatchTimeDerivative, starts, Orbits, 12, times, Rtol, Atol);
        int testRows = (int)Math.Floor(TestFraction * Orbits * Points);
        return SampledTrajectories.TestFirst("three-body", x, dx, 12, times, testRows);
    }
}

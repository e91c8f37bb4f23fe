using Hnn.Systems;

namespace Hnn.Data;

/// <summary>The paper's two-body recipe (Task 4 of the spec): two unit masses, G = 1, nearly circular orbits.</summary>
/// <param name="Orbits">Number of orbits (paper: 1000).</param>
/// <param name="Points">Samples per orbit over [0, TimeSpan], both ends included (paper: 50).</param>
/// <param name="TimeSpan">End time (paper: 20).</param>
/// <param name="PositionMin">Lower end of each coordinate of body 1's start (paper: 0.5).</param>
/// <param name="PositionMax">Upper end of each coordinate of body 1's start (paper: 1.5).</param>
/// <param name="VelocityNoise">Relative spread of the circular-orbit speed, factor 1 + VelocityNoise·N(0, 1) (paper: 0.05).</param>
/// <param name="TestFraction">Fraction of rows, taken first, used for testing (paper: 0.2).</param>
/// <param name="Rtol">Relative tolerance of the integration (reference: 1e-9).</param>
/// <param name="Atol">Absolute tolerance of the integration (the reference left scipy's 1e-6; here equal to Rtol).</param>
/// <param name="Seed">Random seed (paper: 0).</param>
public sealed record TwoBodyRecipe(
    int Orbits = 1000,
    int Points = 50,
    double TimeSpan = 20.0,
    double PositionMin = 0.5,
    double PositionMax = 1.5,
    double VelocityNoise = 0.05,
    double TestFraction = 0.2,
    double Rtol = 1e-9,
    double Atol = 1e-9,
    int Seed = 0
)
{
    /// <summary>The system the data comes from.</summary>
    public static NBody System => NBody.TwoBody;

    /// <summary>
    /// Generates the dataset: <see cref="Orbits"/> starts drawn by <see cref="OrbitStarts.TwoBody"/> from one
    /// <see cref="Sampling"/> of <see cref="Seed"/>, integrated with Dormand–Prince 5(4) in float64; rows are the
    /// sampled states q = (x1, x2, y1, y2), p = (px1, px2, py1, py2) orbit by orbit, targets the exact dynamics there.
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
        var starts = new double[8 * Orbits];
        for (int k = 0; k < Orbits; k++)
            OrbitStarts.TwoBody(rng, starts.AsSpan(8 * k, 8), PositionMin, PositionMax, VelocityNoise);
        var times = Sampling.Linspace(0, TimeSpan, Points);
        var (x, dx) = SampledTrajectories.Integrate(System.BatchTimeDerivative, starts, Orbits, 8, times, Rtol, Atol);
        int testRows = (int)Math.Floor(TestFraction * Orbits * Points);
        return SampledTrajectories.TestFirst("two-body", x, dx, 8, times, testRows);
    }
}

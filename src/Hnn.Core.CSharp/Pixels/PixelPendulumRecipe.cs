using Hnn.Data;

namespace Hnn.Pixels;

/// <summary>
/// The paper's pixel-pendulum recipe (Task 5 of the spec): trials of Gym's <c>Pendulum-v0</c> physics
/// (<see cref="GymPendulum"/>) without torque, each frame rendered by <see cref="PendulumRenderer"/>.
/// </summary>
/// <param name="Trials">Number of trials (paper: 200).</param>
/// <param name="FramesPerTrial">Frames per trial, the start included (paper: 103).</param>
/// <param name="MaxStartAngle">Starts have |θ| &lt; MaxStartAngle from hanging (paper: π/6).</param>
/// <param name="MaxStartSpeed">Starts have θ̇ ~ U(−MaxStartSpeed, MaxStartSpeed) (Gym's reset: 1).</param>
/// <param name="TestFraction">Fraction of trials, taken first, used for testing (paper: 0.2).</param>
/// <param name="Side">Frame width and height in pixels (paper: 28).</param>
/// <param name="HalfView">Half the width of the rendered view in rod lengths (see <see cref="PendulumRenderer"/>).</param>
/// <param name="Supersampling">Anti-aliasing sample points per pixel along each axis.</param>
/// <param name="Seed">Random seed (paper: 0).</param>
public sealed record PixelPendulumRecipe(
    int Trials = 200,
    int FramesPerTrial = 103,
    double MaxStartAngle = Math.PI / 6,
    double MaxStartSpeed = 1.0,
    double TestFraction = 0.2,
    int Side = 28,
    double HalfView = 1.2,
    int Supersampling = 8,
    int Seed = 0
)
{
    /// <summary>The renderer these settings describe.</summary>
    public PendulumRenderer Renderer => new PendulumRenderer(Side, HalfView, Supersampling: Supersampling).Validate();

    /// <summary>Number of test trials, ⌊TestFraction·Trials⌋ (at least 1).</summary>
    public int TestTrials => Math.Max(1, (int)Math.Floor(TestFraction * Trials));

    /// <summary>
    /// Generates the data. Per trial, from one <see cref="Sampling"/> of <see cref="Seed"/>: θ₀ ~ U(−MaxStartAngle,
    /// MaxStartAngle) (the distribution of Gym's reset kept only when |θ| &lt; π/6, which the reference did by
    /// rejection), then θ̇₀ ~ U(−MaxStartSpeed, MaxStartSpeed); frame 0 shows the start and each further frame one
    /// <see cref="GymPendulum.Step"/> later. The first <see cref="TestTrials"/> trials are the test set.
    /// </summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public PixelDataset Generate()
    {
        if (Trials < 2)
            throw new ArgumentException($"need at least 2 trials, got {Trials}");
        if (FramesPerTrial < 4)
            throw new ArgumentException($"need at least 4 frames per trial, got {FramesPerTrial}");
        if (!(TestFraction > 0 && TestFraction < 1))
            throw new ArgumentException($"test fraction must be in (0, 1), got {TestFraction}");
        if (!(MaxStartAngle > 0) || !(MaxStartSpeed >= 0))
            throw new ArgumentException(
                $"need a positive start angle and a non-negative start speed, got {MaxStartAngle} and {MaxStartSpeed}"
            );
        var renderer = Renderer;
        var rng = new Sampling(Seed);
        int pixels = renderer.Pixels;
        var frames = new float[(long)Trials * FramesPerTrial * pixels];
        var coordinates = new double[2L * Trials * FramesPerTrial];
        for (int trial = 0; trial < Trials; trial++)
        {
            double theta = rng.Uniform(-MaxStartAngle, MaxStartAngle);
            double thetaDot = rng.Uniform(-MaxStartSpeed, MaxStartSpeed);
            for (int i = 0; i < FramesPerTrial; i++)
            {
                int k = trial * FramesPerTrial + i;
                renderer.Render(theta, frames.AsSpan(k * pixels, pixels));
                coordinates[2 * k] = theta;
                coordinates[2 * k + 1] = 0.25 * thetaDot;
                (theta, thetaDot) = GymPendulum.Step(theta, thetaDot);
            }
        }
        return new PixelDataset("pixel-pendulum", Trials, FramesPerTrial, Side, TestTrials, frames, coordinates);
    }
}

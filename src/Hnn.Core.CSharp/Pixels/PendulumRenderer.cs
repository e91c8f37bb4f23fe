namespace Hnn.Pixels;

/// <summary>
/// Draws the pendulum as a square grayscale frame, values in [0, 1], bright rod on a dark background (the reference
/// subtracted two colour channels of Gym's picture to get the same). The rod is a capsule of length
/// <see cref="RodLength"/> and width <see cref="RodWidth"/> from the pivot at the image centre; θ = 0 hangs straight
/// down and positive θ swings the tip to the right (+x), as in Gym's picture. Each pixel's value is the fraction of it
/// the capsule covers, measured on a regular <see cref="Supersampling"/>² grid of sample points: anti-aliased and
/// deterministic.
/// </summary>
/// <remarks>
/// Gym drew the view [−2.2, 2.2]² at 500×500 and the reference cropped and squeezed it; at 28×28 that leaves a rod of
/// about 6 pixels. Here the view is [−<see cref="HalfView"/>, <see cref="HalfView"/>]² (default 1.2), which keeps the
/// whole rod inside the frame in every direction: a rod of 11.7 pixels, 2.3 pixels wide.
/// </remarks>
/// <param name="Side">Width and height of a frame in pixels (paper: 28).</param>
/// <param name="HalfView">Half the width of the square view, in the rod's length units.</param>
/// <param name="RodLength">Length of the rod from the pivot to the centre of its far cap.</param>
/// <param name="RodWidth">Width of the rod (Gym: 0.2·l).</param>
/// <param name="Supersampling">Sample points per pixel along each axis.</param>
public sealed record PendulumRenderer(
    int Side = 28,
    double HalfView = 1.2,
    double RodLength = GymPendulum.Length,
    double RodWidth = 0.2 * GymPendulum.Length,
    int Supersampling = 8
)
{
    /// <summary>Number of pixels of one frame, Side².</summary>
    public int Pixels => Side * Side;

    /// <summary>Checks the settings; the message names the bad value.</summary>
    /// <exception cref="ArgumentException">A size is not positive.</exception>
    public PendulumRenderer Validate()
    {
        if (Side < 1)
            throw new ArgumentException($"side must be positive, got {Side}");
        if (!(HalfView > 0))
            throw new ArgumentException($"half view must be positive, got {HalfView}");
        if (!(RodLength >= 0) || !(RodWidth > 0))
            throw new ArgumentException($"rod length must be ≥ 0 and width > 0, got {RodLength} and {RodWidth}");
        if (Supersampling < 1)
            throw new ArgumentException($"supersampling must be positive, got {Supersampling}");
        return this;
    }

    /// <summary>The frame at angle θ (from hanging), row-major, rows top to bottom.</summary>
    public float[] Render(double theta)
    {
        var frame = new float[Pixels];
        Render(theta, frame);
        return frame;
    }

    /// <summary>Draws the frame at angle θ into <paramref name="frame"/> (Side² values, row-major, top row first).</summary>
    public void Render(double theta, Span<float> frame)
    {
        if (frame.Length != Pixels)
            throw new ArgumentException($"a frame has {Pixels} values, got a buffer of {frame.Length}", nameof(frame));
        frame.Clear();
        double pixel = 2 * HalfView / Side;
        double radius = RodWidth / 2;
        // Segment from the pivot (0, 0) to the tip, in image coordinates: x right, y down.
        double tipX = RodLength * Math.Sin(theta),
            tipY = RodLength * Math.Cos(theta);
        double lengthSquared = tipX * tipX + tipY * tipY;
        // Only pixels near the capsule's bounding box can be covered.
        int first(double v) => Math.Clamp((int)Math.Floor((v - radius + HalfView) / pixel) - 1, 0, Side - 1);
        int last(double v) => Math.Clamp((int)Math.Floor((v + radius + HalfView) / pixel) + 1, 0, Side - 1);
        int c0 = first(Math.Min(0, tipX)),
            c1 = last(Math.Max(0, tipX));
        int r0 = first(Math.Min(0, tipY)),
            r1 = last(Math.Max(0, tipY));
        int n = Supersampling;
        double weight = 1.0 / (n * n),
            radiusSquared = radius * radius;
        for (int row = r0; row <= r1; row++)
        for (int col = c0; col <= c1; col++)
        {
            int inside = 0;
            for (int i = 0; i < n; i++)
            {
                double y = -HalfView + (row + (i + 0.5) / n) * pixel;
                for (int j = 0; j < n; j++)
                {
                    double x = -HalfView + (col + (j + 0.5) / n) * pixel;
                    double t = lengthSquared > 0 ? Math.Clamp((x * tipX + y * tipY) / lengthSquared, 0, 1) : 0;
                    double dx = x - t * tipX,
                        dy = y - t * tipY;
                    if (dx * dx + dy * dy <= radiusSquared)
                        inside++;
                }
            }
            frame[row * Side + col] = (float)(inside * weight);
        }
    }
}

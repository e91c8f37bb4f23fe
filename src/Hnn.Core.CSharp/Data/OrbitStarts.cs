namespace Hnn.Data;

/// <summary>
/// The reference code's random initial states of the two- and three-body tasks, in the <see cref="Systems.NBody"/>
/// layout q = (x1..xn, y1..yn), p = (px1..pxn, py1..pyn) with unit masses (so p = velocity).
/// </summary>
public static class OrbitStarts
{
    /// <summary>
    /// Task 4: body 1 at a uniform point of [<paramref name="positionMin"/>, <paramref name="positionMax"/>]², body 2 at its
    /// negative; with r = |pos|, the circular-orbit velocity (−pos_y, pos_x)/(2 r^1.5) scaled by one factor
    /// (1 + <paramref name="velocityNoise"/>·N(0, 1)); body 2 moves opposite, so the total momentum is zero.
    /// Draws, in order: pos_x, pos_y, the normal. Writes 8 numbers.
    /// </summary>
    public static void TwoBody(
        Sampling rng,
        Span<double> x,
        double positionMin = 0.5,
        double positionMax = 1.5,
        double velocityNoise = 0.05
    )
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (x.Length < 8)
            throw new ArgumentException($"a two-body state has 8 numbers, got room for {x.Length}");
        double px = rng.Uniform(positionMin, positionMax),
            py = rng.Uniform(positionMin, positionMax);
        double r = Math.Sqrt(px * px + py * py);
        double scale = (1 + velocityNoise * rng.Normal()) / (2 * Math.Pow(r, 1.5));
        double vx = -py * scale,
            vy = px * scale;
        // q = (x1, x2, y1, y2), p = (px1, px2, py1, py2)
        x[0] = px;
        x[1] = -px;
        x[2] = py;
        x[3] = -py;
        x[4] = vx;
        x[5] = -vx;
        x[6] = vy;
        x[7] = -vy;
    }

    /// <summary>
    /// Task 4b: body 1 at a uniform point of [−1, 1]² rescaled to radius r ~ U(<paramref name="radiusMin"/>, <paramref name="radiusMax"/>);
    /// bodies 2 and 3 at its 120° and 240° rotations. Velocity of body 1 = (position rotated by 90°)/r^1.5 ·
    /// sqrt(sin(π/3)/(2 cos²(π/6))), bodies 2, 3 rotated likewise; then every velocity component is multiplied by
    /// (1 + <paramref name="velocityNoise"/>·U(−1, 1)). Draws, in order: the point (x, y), r, then the six factors
    /// (v1x, v1y, v2x, v2y, v3x, v3y). Writes 12 numbers.
    /// </summary>
    public static void ThreeBody(Sampling rng, Span<double> x, double radiusMin = 0.9, double radiusMax = 1.2, double velocityNoise = 0.2)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (x.Length < 12)
            throw new ArgumentException($"a three-body state has 12 numbers, got room for {x.Length}");
        double p1x = rng.Uniform(-1, 1),
            p1y = rng.Uniform(-1, 1);
        double r = rng.Uniform(radiusMin, radiusMax);
        double norm = Math.Sqrt(p1x * p1x + p1y * p1y);
        p1x *= r / norm;
        p1y *= r / norm;
        double speed = Math.Sqrt(Math.Sin(Math.PI / 3) / (2 * Math.Pow(Math.Cos(Math.PI / 6), 2))) / Math.Pow(r, 1.5);
        double v1x = -p1y * speed,
            v1y = p1x * speed;
        for (int body = 0; body < 3; body++)
        {
            var (s, c) = Math.SinCos(body * 2 * Math.PI / 3);
            x[body] = c * p1x - s * p1y;
            x[3 + body] = s * p1x + c * p1y;
            x[6 + body] = c * v1x - s * v1y;
            x[9 + body] = s * v1x + c * v1y;
        }
        for (int body = 0; body < 3; body++)
        {
            x[6 + body] *= 1 + velocityNoise * rng.Uniform(-1, 1);
            x[9 + body] *= 1 + velocityNoise * rng.Uniform(-1, 1);
        }
    }
}

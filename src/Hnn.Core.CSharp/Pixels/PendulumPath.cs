namespace Hnn.Pixels;

/// <summary>A simulated path of Gym's pendulum and its rendered frames: the ground truth of a rollout.</summary>
/// <param name="Theta">θ at each of the Steps + 1 times.</param>
/// <param name="ThetaDot">θ̇ at each time.</param>
/// <param name="Frames">The frame of each time, [Steps + 1, Side²] row-major.</param>
/// <param name="Side">Frame width and height.</param>
public sealed record PendulumPath(double[] Theta, double[] ThetaDot, float[] Frames, int Side)
{
    /// <summary>Number of steps after the start.</summary>
    public int Steps => Theta.Length - 1;

    /// <summary>The frame at time index <paramref name="i"/>.</summary>
    public ReadOnlySpan<float> Frame(int i) => Frames.AsSpan(i * Side * Side, Side * Side);

    /// <summary>
    /// Steps <see cref="GymPendulum"/> from (θ₀, θ̇₀) and renders every state. With <paramref name="boostAt"/>, energy is
    /// added half way (the paper's second animation): once the path reaches that index, angle and speed are both
    /// multiplied by <paramref name="boostFactor"/>, which scales the swing's amplitude whatever its phase; the state at
    /// that index already carries the change.
    /// </summary>
    public static PendulumPath Simulate(
        double theta0,
        double thetaDot0,
        int steps,
        PendulumRenderer renderer,
        int? boostAt = null,
        double boostFactor = 1.5
    )
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        var theta = new double[steps + 1];
        var thetaDot = new double[steps + 1];
        var frames = new float[(steps + 1) * renderer.Pixels];
        double q = theta0,
            v = thetaDot0;
        for (int i = 0; i <= steps; i++)
        {
            if (i == boostAt)
            {
                q *= boostFactor;
                v *= boostFactor;
            }
            theta[i] = q;
            thetaDot[i] = v;
            renderer.Render(q, frames.AsSpan(i * renderer.Pixels, renderer.Pixels));
            (q, v) = GymPendulum.Step(q, v);
        }
        return new PendulumPath(theta, thetaDot, frames, renderer.Side);
    }
}

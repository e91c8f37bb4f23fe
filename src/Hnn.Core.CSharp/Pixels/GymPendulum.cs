namespace Hnn.Pixels;

/// <summary>
/// The physics of OpenAI Gym's <c>Pendulum-v0</c> with no torque, which the paper's pixel task rendered: a uniform rod
/// (g = 10, m = 1, l = 1) with θ measured from the hanging position, θ̈ = −(3g/(2l))·sin θ, stepped by semi-implicit
/// Euler with dt = 0.05 and the angular speed clipped to ±8 after the position update, as Gym's code does.
/// </summary>
public static class GymPendulum
{
    /// <summary>Gravity g.</summary>
    public const double Gravity = 10.0;

    /// <summary>Mass m of the rod.</summary>
    public const double Mass = 1.0;

    /// <summary>Length l of the rod.</summary>
    public const double Length = 1.0;

    /// <summary>Time step dt of one environment step.</summary>
    public const double Dt = 0.05;

    /// <summary>Largest angular speed; faster speeds are clipped.</summary>
    public const double MaxSpeed = 8.0;

    /// <summary>The angular acceleration θ̈ = −(3g/(2l))·sin θ at angle θ (from hanging).</summary>
    public static double Acceleration(double theta) => -3.0 * Gravity / (2.0 * Length) * Math.Sin(theta);

    /// <summary>One step: θ̇ ← θ̇ + θ̈·dt, θ ← θ + θ̇·dt, then θ̇ clipped to ±<see cref="MaxSpeed"/>.</summary>
    public static (double Theta, double ThetaDot) Step(double theta, double thetaDot)
    {
        double newThetaDot = thetaDot + Acceleration(theta) * Dt;
        double newTheta = theta + newThetaDot * Dt;
        return (newTheta, Math.Clamp(newThetaDot, -MaxSpeed, MaxSpeed));
    }

    /// <summary>
    /// The rod's mechanical energy with the pivot at rest, zero when hanging still:
    /// E = (m l²/3)·θ̇²/2 + m g (l/2)(1 − cos θ) = θ̇²/6 + 5(1 − cos θ) for Gym's constants.
    /// </summary>
    public static double Energy(double theta, double thetaDot) =>
        Mass * Length * Length / 6.0 * thetaDot * thetaDot + Mass * Gravity * Length / 2.0 * (1.0 - Math.Cos(theta));
}

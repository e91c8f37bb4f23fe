namespace Hnn.Integrators;

/// <summary>
/// The step-size control of an adaptive solve, written once for both back ends as plain double math: scipy's
/// starting step (Hairer, Nørsett &amp; Wanner, Solving ODEs I, §II.4) and the PI controller described at
/// <see cref="AdaptiveSettings"/>. Holds the controller's memory (the last accepted error norm, whether the last
/// attempt was rejected): one instance per solve.
/// </summary>
internal sealed class PiController
{
    private readonly AdaptiveSettings settings;
    private readonly double alpha;
    private readonly double beta;
    private double previousError = 1e-4;
    private bool rejected;

    /// <summary>A controller for an error estimate of order <paramref name="errorOrder"/>.</summary>
    public PiController(AdaptiveSettings settings, int errorOrder)
    {
        this.settings = settings;
        ErrorExponent = 1.0 / (errorOrder + 1);
        beta = settings.PiBeta;
        alpha = ErrorExponent - 0.75 * beta;
    }

    /// <summary>1/(q + 1) for an error estimate of order q: the error of a step scales as h^(q+1).</summary>
    public double ErrorExponent { get; }

    /// <summary>
    /// The trial step h₀ of the starting-step heuristic from the weighted RMS norms d₀ of y₀ and d₁ of f(y₀),
    /// at most the whole <paramref name="span"/>.
    /// </summary>
    public static double TrialStep(double d0, double d1, double span) => Math.Min(d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * d0 / d1, span);

    /// <summary>
    /// The starting step from the trial step h₀, d₁ and d₂ = ‖f(y₀ + h₀f₀) − f₀‖/h₀ (an estimate of the second
    /// derivative): the step whose local error would be 0.01, at most 100·h₀ and the span.
    /// </summary>
    public double InitialStep(double h0, double d1, double d2, double span)
    {
        double h1 = d1 <= 1e-15 && d2 <= 1e-15 ? Math.Max(1e-6, h0 * 1e-3) : Math.Pow(0.01 / Math.Max(d1, d2), ErrorExponent);
        double h = Math.Min(Math.Min(100 * h0, h1), span);
        return double.IsFinite(h) && h > 0 ? h : span;
    }

    /// <summary>
    /// Judges an attempted step by its error norm (accepted when at most 1) and gives the factor for the step size:
    /// after a rejection the step shrinks by safety·err^(−1/(q+1)) (at least MinFactor; MinFactor for a non-finite
    /// error); after an acceptance it changes by the PI factor, clamped to [MinFactor, MaxFactor] and not above 1
    /// right after a rejection.
    /// </summary>
    public bool Accepts(double errorNorm, out double factor)
    {
        if (!(errorNorm <= 1))
        {
            factor = double.IsFinite(errorNorm)
                ? Math.Max(settings.MinFactor, settings.Safety * Math.Pow(errorNorm, -ErrorExponent))
                : settings.MinFactor;
            rejected = true;
            return false;
        }
        factor = errorNorm == 0 ? settings.MaxFactor : settings.Safety * Math.Pow(errorNorm, -alpha) * Math.Pow(previousError, beta);
        factor = Math.Clamp(factor, settings.MinFactor, rejected ? 1 : settings.MaxFactor);
        previousError = Math.Max(errorNorm, 1e-4);
        rejected = false;
        return true;
    }
}

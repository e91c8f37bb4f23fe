using System.Runtime.CompilerServices;

namespace Hnn.Integrators;

/// <summary>
/// What the adaptive step loop asks of a back end: attempt a step of an embedded pair and measure its error,
/// report states at output times (exactly at a step's end, else by the dense output), and move on.
/// </summary>
internal interface IAdaptiveWork
{
    /// <summary>Who is integrated, for messages: "trajectory 3" or "batch".</summary>
    string Who { get; }

    /// <summary>Evaluates the first stage at the initial state (checking it is finite) and returns the starting step.</summary>
    double Start(double t0, double tEnd, PiController control);

    /// <summary>What must live only as long as one attempt (a dispose scope for tensors), or null.</summary>
    IDisposable? BeginAttempt();

    /// <summary>Computes the stages of a step of size h from t and returns the error norm of the candidate state.</summary>
    double Attempt(double t, double h);

    /// <summary>After an accepted attempt: the derivative at the new state (the last stage if FSAL), checked finite.</summary>
    void Accept(double tNew);

    /// <summary>Writes the current state as output <paramref name="index"/> (output times equal to t0).</summary>
    void WriteCurrent(int index);

    /// <summary>Writes the accepted state as output <paramref name="index"/>.</summary>
    void WriteNew(int index);

    /// <summary>Writes the dense output at t + θh of the accepted step as output <paramref name="index"/>.</summary>
    void WriteInterpolated(int index, double theta, double h);

    /// <summary>Makes the accepted state and its derivative the current ones.</summary>
    void Advance();
}

/// <summary>The step loop of an adaptive solve, written once for both back ends.</summary>
internal static class AdaptiveLoop
{
    /// <summary>
    /// Integrates from t0 to the last of <paramref name="tEval"/> with the step sizes of a <see cref="PiController"/>,
    /// writing the states at tEval through <paramref name="work"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No convergence within MaxSteps attempts, or the step size underflowed.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TWork>(TWork work, AdaptiveSettings settings, int errorOrder, double t0, ReadOnlySpan<double> tEval)
        where TWork : IAdaptiveWork
    {
        double tEnd = tEval[^1];
        double t = t0;
        int next = 0;
        while (next < tEval.Length && tEval[next] == t0)
            work.WriteCurrent(next++);
        if (next == tEval.Length)
            return;

        var control = new PiController(settings, errorOrder);
        double h = work.Start(t, tEnd, control);
        for (int attempt = 0; ; attempt++)
        {
            if (attempt >= settings.MaxSteps)
                throw new InvalidOperationException(
                    $"{work.Who}: no convergence within {settings.MaxSteps} steps, stopped at t = {t:R} with step {h:R}"
                );
            double minStep = 10 * Math.Abs(Math.BitIncrement(t) - t);
            if (h < minStep)
                throw new InvalidOperationException(
                    $"{work.Who}: step size underflow at t = {t:R} (step {h:R} below {minStep:R}); the solution may blow up or the state may have become non-finite"
                );
            bool last = t + h >= tEnd;
            if (last)
                h = tEnd - t;

            using var scope = work.BeginAttempt();
            double errorNorm = work.Attempt(t, h);
            if (!control.Accepts(errorNorm, out double factor))
            {
                h *= factor;
                continue;
            }

            double tNew = last ? tEnd : t + h;
            work.Accept(tNew);
            while (next < tEval.Length && tEval[next] <= tNew)
            {
                if (tEval[next] == tNew)
                    work.WriteNew(next);
                else
                    work.WriteInterpolated(next, (tEval[next] - t) / h, h);
                next++;
            }
            if (next == tEval.Length)
                return;

            work.Advance();
            t = tNew;
            h *= factor;
        }
    }
}

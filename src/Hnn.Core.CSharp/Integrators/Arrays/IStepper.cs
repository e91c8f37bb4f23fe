namespace Hnn.Integrators;

/// <summary>Advances a batch of states by one step in place; owns reusable work buffers (not thread-safe).</summary>
public interface IStepper
{
    /// <summary>Replaces the states <paramref name="x"/> (row-major [count, dim]) at time <paramref name="t"/> by the states at t + h.</summary>
    void Step(double t, Span<double> x, double h);
}

/// <summary>The argument checks every float64 stepper makes; messages name the argument.</summary>
internal static class StepperArguments
{
    /// <summary>A batch of <paramref name="count"/> ≥ 1 states of dimension <paramref name="dim"/> ≥ 1 (even when <paramref name="split"/>: x = (q, p)).</summary>
    public static void CheckBatch(object method, object field, int count, int dim, bool split = false)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(field);
        if (count < 1)
            throw new ArgumentException($"count must be positive, got {count}", nameof(count));
        if (split && (dim < 2 || dim % 2 != 0))
            throw new ArgumentException($"dim must be even, x = (q, p); got {dim}", nameof(dim));
        if (dim < 1)
            throw new ArgumentException($"dim must be positive, got {dim}", nameof(dim));
    }

    /// <summary>The states handed to a step hold the <paramref name="values"/> numbers the stepper was built for.</summary>
    public static void CheckState(Span<double> x, int values)
    {
        if (x.Length != values)
            throw new ArgumentException($"state has {x.Length} values, the stepper was built for {values}", nameof(x));
    }
}

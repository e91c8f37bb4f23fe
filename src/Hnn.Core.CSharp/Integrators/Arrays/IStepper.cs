namespace Hnn.Integrators;

/// <summary>Advances a batch of states by one step in place; owns reusable work buffers (not thread-safe).</summary>
public interface IStepper
{
    /// <summary>Replaces the states <paramref name="x"/> (row-major [count, dim]) at time <paramref name="t"/> by the states at t + h.</summary>
    void Step(double t, Span<double> x, double h);
}

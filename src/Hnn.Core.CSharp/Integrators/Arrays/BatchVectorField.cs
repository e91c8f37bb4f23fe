namespace Hnn.Integrators;

/// <summary>
/// dx/dt for a batch: <paramref name="x"/> and <paramref name="dxdt"/> are row-major [count, dim];
/// <paramref name="t"/> is the time. Writes every element of <paramref name="dxdt"/>.
/// </summary>
public delegate void BatchVectorField(double t, ReadOnlySpan<double> x, Span<double> dxdt, int count);

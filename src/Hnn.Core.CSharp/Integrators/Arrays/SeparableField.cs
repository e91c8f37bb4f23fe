namespace Hnn.Integrators;

/// <summary>
/// One half of a field on a batch: reads full states <paramref name="x"/> = (q, p), row-major [count, dim],
/// and writes one half of dx/dt, row-major [count, dim/2], into <paramref name="half"/>.
/// </summary>
public delegate void BatchHalfField(double t, ReadOnlySpan<double> x, Span<double> half, int count);

/// <summary>
/// The field of a separable Hamiltonian H = T(p) + V(q), state x = (q, p) with q the first half:
/// the velocity dq/dt = ∂T/∂p depends on p only, the force dp/dt = −∂V/∂q on q only.
/// Each half is handed the full state, so a full field serves as well (<see cref="FromFull"/>).
/// </summary>
/// <param name="Velocity">dq/dt [count, dim/2]; must read only the p half of the state.</param>
/// <param name="Force">dp/dt [count, dim/2]; must read only the q half of the state.</param>
public sealed record SeparableField(BatchHalfField Velocity, BatchHalfField Force)
{
    /// <summary>
    /// Splits a full field: each half evaluates the whole field and keeps the half it needs (twice the work of
    /// a true split, and correct only when the field is separable). The result owns a work buffer: one per thread.
    /// </summary>
    public static SeparableField FromFull(BatchVectorField field)
    {
        ArgumentNullException.ThrowIfNull(field);
        double[] buffer = [];
        void Half(double t, ReadOnlySpan<double> x, Span<double> half, int count, int offset)
        {
            if (buffer.Length != x.Length)
                buffer = new double[x.Length];
            field(t, x, buffer, count);
            int dim = x.Length / count,
                h = dim / 2;
            for (int i = 0; i < count; i++)
                buffer.AsSpan(i * dim + offset * h, h).CopyTo(half.Slice(i * h, h));
        }
        return new SeparableField((t, x, half, count) => Half(t, x, half, count, 0), (t, x, half, count) => Half(t, x, half, count, 1));
    }
}

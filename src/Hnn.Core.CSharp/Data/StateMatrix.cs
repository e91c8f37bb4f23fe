using static TorchSharp.torch;

namespace Hnn.Data;

/// <summary>A row-major float64 matrix of states or derivatives: one row per sample, one column per coordinate.</summary>
public sealed class StateMatrix
{
    /// <summary>Wraps row-major values; their count must be rows × columns.</summary>
    public StateMatrix(double[] values, int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if (values.Length != rows * columns)
            throw new ArgumentException($"expected {rows}×{columns} = {rows * columns} values, got {values.Length}");
        Values = values;
        Rows = rows;
        Columns = columns;
    }

    /// <summary>Row-major values.</summary>
    public double[] Values { get; }

    /// <summary>Number of samples.</summary>
    public int Rows { get; }

    /// <summary>Number of coordinates.</summary>
    public int Columns { get; }

    /// <summary>One row.</summary>
    public ReadOnlySpan<double> Row(int i) => Values.AsSpan(i * Columns, Columns);

    /// <summary>The element at row i, column j.</summary>
    public double this[int i, int j] => Values[i * Columns + j];

    /// <summary>The rows [start, start + count).</summary>
    public StateMatrix Slice(int start, int count) => new(Values.AsSpan(start * Columns, count * Columns).ToArray(), count, Columns);

    /// <summary>Rows of this matrix followed by rows of <paramref name="other"/>.</summary>
    public StateMatrix Concat(StateMatrix other)
    {
        if (other.Columns != Columns)
            throw new ArgumentException($"column counts differ: {Columns} and {other.Columns}");
        return new([.. Values, .. other.Values], Rows + other.Rows, Columns);
    }

    /// <summary>A [Rows, Columns] tensor of the given type (float32 for networks, float64 for evaluation).</summary>
    public Tensor ToTensor(ScalarType dtype = ScalarType.Float32)
    {
        using var t = tensor(Values, [Rows, Columns], ScalarType.Float64);
        return dtype == ScalarType.Float64 ? t.clone() : t.to_type(dtype);
    }
}

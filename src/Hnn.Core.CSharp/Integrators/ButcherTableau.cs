namespace Hnn.Integrators;

/// <summary>
/// The Butcher tableau of an explicit Runge–Kutta method: stage matrix A (strictly lower triangular),
/// weights b, nodes c, and for embedded pairs the error weights b_err = b − b̂ (the difference with a
/// lower-order solution). A value that checks its own consistency at construction:
/// Σb = 1, each row of A sums to its node c, Σb_err = 0.
/// </summary>
public sealed class ButcherTableau : IFixedStepMethod
{
    /// <summary>Tolerance of the consistency checks (the coefficients are rationals rounded to float64).</summary>
    public const double ConsistencyTolerance = 1e-12;

    private readonly double[][] a;
    private readonly double[] b;
    private readonly double[] c;
    private readonly double[]? bError;

    /// <summary>Builds and checks a tableau.</summary>
    /// <param name="name">The method's name, e.g. "RK4".</param>
    /// <param name="order">Order of the solution given by <paramref name="b"/>.</param>
    /// <param name="a">Stage matrix as rows: row i holds a[i][0..i−1] (may be padded with zeros up to the stage count).</param>
    /// <param name="b">Weights of the solution, one per stage.</param>
    /// <param name="c">Nodes, one per stage.</param>
    /// <param name="bError">Error weights b − b̂ of an embedded pair, one per stage, or null.</param>
    /// <param name="errorOrder">Order of the embedded solution b̂ (required with <paramref name="bError"/>).</param>
    /// <param name="reference">Where the coefficients come from.</param>
    /// <exception cref="ArgumentException">The table is inconsistent; the message names the failed condition.</exception>
    public ButcherTableau(string name, int order, double[][] a, double[] b, double[] c,
        double[]? bError = null, int? errorOrder = null, string reference = "")
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        int s = b.Length;
        string what = $"Butcher tableau '{name}'";
        if (s == 0) throw new ArgumentException($"{what}: b is empty", nameof(b));
        if (order < 1) throw new ArgumentException($"{what}: order must be at least 1, got {order}", nameof(order));
        if (c.Length != s) throw new ArgumentException($"{what}: c has {c.Length} entries, b has {s}", nameof(c));
        if (a.Length != s) throw new ArgumentException($"{what}: A has {a.Length} rows, b has {s} entries", nameof(a));
        this.a = new double[s][];
        for (int i = 0; i < s; i++)
        {
            var row = a[i] ?? throw new ArgumentException($"{what}: row {i} of A is null", nameof(a));
            if (row.Length > s) throw new ArgumentException($"{what}: row {i} of A has {row.Length} entries, more than the {s} stages", nameof(a));
            for (int j = i; j < row.Length; j++)
                if (row[j] != 0) throw new ArgumentException($"{what}: A is not strictly lower triangular (A[{i},{j}] = {row[j]}); only explicit methods are supported", nameof(a));
            this.a[i] = row.Take(Math.Min(i, row.Length)).Concat(Enumerable.Repeat(0.0, Math.Max(0, i - row.Length))).ToArray();
            double rowSum = Sum(this.a[i]);
            if (Math.Abs(rowSum - c[i]) > ConsistencyTolerance)
                throw new ArgumentException($"{what}: row {i} of A sums to {rowSum:R}, but c[{i}] = {c[i]:R} (rows of A must sum to c)", nameof(a));
        }
        double bSum = Sum(b);
        if (Math.Abs(bSum - 1) > ConsistencyTolerance)
            throw new ArgumentException($"{what}: b sums to {bSum:R}, not 1", nameof(b));
        if (bError is not null)
        {
            if (bError.Length != s) throw new ArgumentException($"{what}: b_err has {bError.Length} entries, b has {s}", nameof(bError));
            double eSum = Sum(bError);
            if (Math.Abs(eSum) > ConsistencyTolerance)
                throw new ArgumentException($"{what}: b_err sums to {eSum:R}, not 0 (both solutions of an embedded pair must be consistent)", nameof(bError));
            if (errorOrder is not int eo || eo < 1)
                throw new ArgumentException($"{what}: an embedded pair needs the order of its error estimate", nameof(errorOrder));
        }
        else if (errorOrder is not null)
            throw new ArgumentException($"{what}: an error order was given without error weights b_err", nameof(errorOrder));
        Name = name;
        Order = order;
        ErrorOrder = errorOrder;
        Reference = reference;
        this.b = (double[])b.Clone();
        this.c = (double[])c.Clone();
        this.bError = (double[]?)bError?.Clone();
        IsFirstSameAsLast = s > 1 && c[s - 1] == 1 && b[s - 1] == 0 && this.a[s - 1].SequenceEqual(this.b.Take(s - 1));
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int Order { get; }

    /// <summary>Order of the embedded lower-order solution, or null if the method has no error estimate.</summary>
    public int? ErrorOrder { get; }

    /// <summary>Where the coefficients come from.</summary>
    public string Reference { get; }

    /// <summary>Explicit Runge–Kutta methods are never symplectic.</summary>
    public bool IsSymplectic => false;

    /// <summary>Number of stages s.</summary>
    public int Stages => b.Length;

    /// <summary>True when the last stage is evaluated at the new solution (FSAL), so it is the next step's first stage.</summary>
    public bool IsFirstSameAsLast { get; }

    /// <summary>True for an embedded pair (b_err given).</summary>
    public bool HasErrorEstimate => bError is not null;

    /// <summary>A[i, j] (zero for j ≥ i).</summary>
    public double A(int i, int j) => j < i ? a[i][j] : 0.0;

    /// <summary>The weights b.</summary>
    public IReadOnlyList<double> B => b;

    /// <summary>The nodes c.</summary>
    public IReadOnlyList<double> C => c;

    /// <summary>The error weights b − b̂, or null.</summary>
    public IReadOnlyList<double>? BError => bError;

    /// <summary>Row i of A, length i, for the steppers' inner loops (not to be modified).</summary>
    internal double[] Row(int i) => a[i];

    /// <inheritdoc />
    public IStepper CreateStepper(BatchVectorField field, int count, int dim) => new ExplicitRungeKuttaStepper(this, field, count, dim);

    /// <inheritdoc />
    public override string ToString() => Name;

    private static double Sum(double[] v)
    {
        double s = 0;
        foreach (var x in v) s += x;
        return s;
    }
}

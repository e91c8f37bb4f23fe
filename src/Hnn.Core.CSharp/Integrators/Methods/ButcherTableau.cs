namespace Hnn.Integrators;

/// <summary>
/// The Butcher tableau of an explicit Runge–Kutta method: stage matrix A (strictly lower triangular),
/// weights b, nodes c; for embedded pairs the error weights b_err (the difference of b and the weights b̂ of a
/// lower-order solution; only its norm is used, so either sign); optionally a dense output P, the continuous
/// extension y(t + θh) = y + h Σᵢ kᵢ Σⱼ P[i, j] θʲ⁺¹. A value that checks its own consistency at construction:
/// Σb = 1, each row of A sums to its node c, Σb_err = 0, and Σⱼ P[i, j] = bᵢ (at θ = 1 the extension is the step's solution).
/// </summary>
public sealed class ButcherTableau : IFixedStepMethod
{
    /// <summary>Tolerance of the consistency checks (the coefficients are rationals rounded to float64).</summary>
    public const double ConsistencyTolerance = 1e-12;

    private readonly double[][] a;
    private readonly double[] b;
    private readonly double[] c;
    private readonly double[]? bError;
    private readonly double[,]? dense;

    /// <summary>Builds and checks a tableau.</summary>
    /// <param name="name">The method's name, e.g. "RK4".</param>
    /// <param name="order">Order of the solution given by <paramref name="b"/>.</param>
    /// <param name="a">Stage matrix as rows: row i holds a[i][0..i−1] (may be padded with zeros up to the stage count).</param>
    /// <param name="b">Weights of the solution, one per stage.</param>
    /// <param name="c">Nodes, one per stage.</param>
    /// <param name="bError">Error weights b − b̂ (or b̂ − b) of an embedded pair, one per stage, or null.</param>
    /// <param name="errorOrder">Order of the embedded solution b̂ (required with <paramref name="bError"/>).</param>
    /// <param name="reference">Where the coefficients come from.</param>
    /// <param name="denseOutput">The dense output P [stages, terms], or null: y(t + θh) = y + h Σᵢ kᵢ Σⱼ P[i, j] θʲ⁺¹.</param>
    /// <exception cref="ArgumentException">The table is inconsistent; the message names the failed condition.</exception>
    public ButcherTableau(
        string name,
        int order,
        double[][] a,
        double[] b,
        double[] c,
        double[]? bError = null,
        int? errorOrder = null,
        string reference = "",
        double[,]? denseOutput = null
    )
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        int s = b.Length;
        string what = $"Butcher tableau '{name}'";
        if (s == 0)
            throw new ArgumentException($"{what}: b is empty", nameof(b));
        if (order < 1)
            throw new ArgumentException($"{what}: order must be at least 1, got {order}", nameof(order));
        if (c.Length != s)
            throw new ArgumentException($"{what}: c has {c.Length} entries, b has {s}", nameof(c));
        if (a.Length != s)
            throw new ArgumentException($"{what}: A has {a.Length} rows, b has {s} entries", nameof(a));
        this.a = new double[s][];
        for (int i = 0; i < s; i++)
        {
            var row = a[i] ?? throw new ArgumentException($"{what}: row {i} of A is null", nameof(a));
            if (row.Length > s)
                throw new ArgumentException($"{what}: row {i} of A has {row.Length} entries, more than the {s} stages", nameof(a));
            for (int j = i; j < row.Length; j++)
                if (row[j] != 0)
                    throw new ArgumentException(
                        $"{what}: A is not strictly lower triangular (A[{i},{j}] = {row[j]}); only explicit methods are supported",
                        nameof(a)
                    );
            this.a[i] = row.Take(Math.Min(i, row.Length)).Concat(Enumerable.Repeat(0.0, Math.Max(0, i - row.Length))).ToArray();
            double rowSum = Sum(this.a[i]);
            if (Math.Abs(rowSum - c[i]) > ConsistencyTolerance)
                throw new ArgumentException(
                    $"{what}: row {i} of A sums to {rowSum:R}, but c[{i}] = {c[i]:R} (rows of A must sum to c)",
                    nameof(a)
                );
        }
        double bSum = Sum(b);
        if (Math.Abs(bSum - 1) > ConsistencyTolerance)
            throw new ArgumentException($"{what}: b sums to {bSum:R}, not 1", nameof(b));
        if (bError is not null)
        {
            if (bError.Length != s)
                throw new ArgumentException($"{what}: b_err has {bError.Length} entries, b has {s}", nameof(bError));
            double eSum = Sum(bError);
            if (Math.Abs(eSum) > ConsistencyTolerance)
                throw new ArgumentException(
                    $"{what}: b_err sums to {eSum:R}, not 0 (both solutions of an embedded pair must be consistent)",
                    nameof(bError)
                );
            if (errorOrder is not int eo || eo < 1)
                throw new ArgumentException($"{what}: an embedded pair needs the order of its error estimate", nameof(errorOrder));
        }
        else if (errorOrder is not null)
            throw new ArgumentException($"{what}: an error order was given without error weights b_err", nameof(errorOrder));
        if (denseOutput is not null)
        {
            if (denseOutput.GetLength(0) != s || denseOutput.GetLength(1) < 1)
                throw new ArgumentException(
                    $"{what}: the dense output has {denseOutput.GetLength(0)} × {denseOutput.GetLength(1)} coefficients, it needs one row per stage ({s})",
                    nameof(denseOutput)
                );
            for (int i = 0; i < s; i++)
            {
                double rowSum = 0;
                for (int j = 0; j < denseOutput.GetLength(1); j++)
                    rowSum += denseOutput[i, j];
                if (Math.Abs(rowSum - b[i]) > ConsistencyTolerance)
                    throw new ArgumentException(
                        $"{what}: row {i} of the dense output sums to {rowSum:R}, but b[{i}] = {b[i]:R} (at θ = 1 it must give the step's solution)",
                        nameof(denseOutput)
                    );
            }
        }
        Name = name;
        Order = order;
        ErrorOrder = errorOrder;
        Reference = reference;
        this.b = (double[])b.Clone();
        this.c = (double[])c.Clone();
        this.bError = (double[]?)bError?.Clone();
        dense = (double[,]?)denseOutput?.Clone();
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

    /// <summary>True when the method has a continuous extension (dense output), so a solve can report states inside a step.</summary>
    public bool HasDenseOutput => dense is not null;

    /// <summary>True when an adaptive solve can use the method: an embedded pair with a dense output.</summary>
    public bool CanAdapt => HasErrorEstimate && HasDenseOutput;

    /// <summary>A[i, j] (zero for j ≥ i).</summary>
    public double A(int i, int j) => j < i ? a[i][j] : 0.0;

    /// <summary>The weights b.</summary>
    public IReadOnlyList<double> B => b;

    /// <summary>The nodes c.</summary>
    public IReadOnlyList<double> C => c;

    /// <summary>The error weights b − b̂, or null.</summary>
    public IReadOnlyList<double>? BError => bError;

    /// <summary>Coefficient P[stage, j] of the dense output (see <see cref="HasDenseOutput"/>).</summary>
    /// <exception cref="InvalidOperationException">The method has no dense output.</exception>
    public double DenseOutput(int stage, int j) =>
        (dense ?? throw new InvalidOperationException($"'{Name}' has no dense output"))[stage, j];

    /// <summary>Row i of A, length i, for the steppers' inner loops (not to be modified).</summary>
    internal double[] Row(int i) => a[i];

    /// <summary>The weights b, for the steppers' inner loops (not to be modified).</summary>
    internal double[] Weights => b;

    /// <summary>The error weights, for the steppers' inner loops (not to be modified); null without an error estimate.</summary>
    internal double[]? ErrorWeights => bError;

    /// <summary>
    /// The weights Σⱼ P[i, j] θʲ⁺¹ of the stages in y(t + θh) = y + h Σᵢ kᵢ·weightᵢ, the same arithmetic for both back ends.
    /// </summary>
    internal void DenseWeights(double theta, Span<double> weights)
    {
        var p = dense ?? throw new InvalidOperationException($"'{Name}' has no dense output");
        for (int i = 0; i < weights.Length; i++)
        {
            double w = 0,
                power = theta;
            for (int j = 0; j < p.GetLength(1); j++)
            {
                w += p[i, j] * power;
                power *= theta;
            }
            weights[i] = w;
        }
    }

    /// <inheritdoc />
    public IStepper CreateStepper(BatchVectorField field, int count, int dim) => new ExplicitRungeKuttaStepper(this, field, count, dim);

    /// <inheritdoc />
    public override string ToString() => Name;

    private static double Sum(double[] v)
    {
        double s = 0;
        foreach (var x in v)
            s += x;
        return s;
    }
}

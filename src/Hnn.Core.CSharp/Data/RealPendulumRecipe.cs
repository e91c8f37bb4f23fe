namespace Hnn.Data;

/// <summary>How the real pendulum's derivative targets are estimated from the measured states.</summary>
public enum Differences
{
    /// <summary>
    /// The paper's (x[i+1] − x[i]) / (t[i+1] − t[i]) at x[i]. First-order: it estimates dx/dt at t[i] + Δt/2, so its
    /// error Δt/2·d²x/dt² is, for an oscillator, a friction of about Δt/2 per unit time that the data do not have.
    /// </summary>
    Forward,

    /// <summary>
    /// Second-order three-point differences on the (possibly uneven) time grid: centred at rows 1..N−1, one-sided
    /// (x0, x1, x2) at row 0 (Sosanya &amp; Greydanus 2022 used centred differences too).
    /// </summary>
    Central,
}

/// <summary>
/// The paper's real-pendulum recipe (Task 3): Schmidt &amp; Lipson's measurements, x = (o, v), targets by forward
/// differences (x[i+1] − x[i]) / (t[i+1] − t[i]), last row dropped (N rows remain) — or, beyond the paper, by
/// second-order differences (<see cref="Differences.Central"/>) on the same rows. Split keeping time order:
/// test = rows [⌊TestStart·N⌋, ⌊TestStart·N⌋ + ⌊TestFraction·N⌋), train = all other rows.
/// </summary>
/// <param name="DataPath">The measurement file; null means the vendored <c>real_pend_h_1.txt</c> (sha256-checked).
/// A <see cref="DatasetCache"/> key covers this path, not the content of a file given here.</param>
/// <param name="TestStart">Where the test rows start, as a fraction of N (paper: 0.8).</param>
/// <param name="TestFraction">Length of the test span, as a fraction of N (paper: 0.2).</param>
/// <param name="Targets">How derivative targets are estimated (paper: forward differences).</param>
public sealed record RealPendulumRecipe(
    string? DataPath = null,
    double TestStart = 0.8,
    double TestFraction = 0.2,
    Differences Targets = Differences.Forward
)
{
    /// <summary>Reads the measurements this recipe names.</summary>
    /// <exception cref="DataFileException">The file is missing, malformed or (for the vendored copy) altered.</exception>
    public LipsonData Load() => DataPath is null ? LipsonData.LoadDefault() : LipsonData.Load(DataPath);

    /// <summary>The test rows [Start, Start + Count) for N usable rows.</summary>
    public (int Start, int Count) TestRows(int n)
    {
        if (!(TestStart >= 0 && TestFraction > 0 && TestStart + TestFraction <= 1 + 1e-12))
            throw new ArgumentException(
                $"need 0 ≤ test start, 0 < test fraction, start + fraction ≤ 1; got {TestStart} and {TestFraction}"
            );
        int start = (int)Math.Floor(TestStart * n);
        int count = Math.Min((int)Math.Floor(TestFraction * n), n - start);
        return (start, count);
    }

    /// <summary>Generates the dataset (no noise is added: the measurements are what they are).</summary>
    public Dataset Generate() => Generate(Load());

    /// <summary>Generates the dataset from already loaded measurements.</summary>
    public Dataset Generate(LipsonData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var (x, dx) = StatesAndDifferences(data);
        int n = x.Rows;
        var (start, count) = TestRows(n);
        if (count < 2 || n - count < 2)
            throw new DataFileException(
                data.Source,
                $"{n + 1} rows leave {n - count} training and {count} test states; need at least 2 of each"
            );
        var trainX = x.Slice(0, start).Concat(x.Slice(start + count, n - start - count));
        var trainDx = dx.Slice(0, start).Concat(dx.Slice(start + count, n - start - count));
        // One measured trajectory, cut by the test span: the rows before and after it are separate pieces.
        var times = data.Time.AsSpan(0, n).ToArray();
        var before = new Timeline(times[..start], new int[start]);
        var after = new Timeline(times[(start + count)..], Enumerable.Repeat(2, n - start - count).ToArray());
        var test = new Timeline(times[start..(start + count)], Enumerable.Repeat(1, count).ToArray());
        var name = Targets == Differences.Forward ? "real-pendulum" : "real-pendulum-central";
        return new Dataset(name, trainX, trainDx, x.Slice(start, count), dx.Slice(start, count), before.Concat(after), test);
    }

    /// <summary>The test span as a measured trajectory (times and states of the test rows), for the energy protocol.</summary>
    public MeasuredTrajectory TestTrajectory() => TestTrajectory(Load());

    /// <summary>The test span of already loaded measurements.</summary>
    public MeasuredTrajectory TestTrajectory(LipsonData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var (x, _) = StatesAndDifferences(data);
        var (start, count) = TestRows(x.Rows);
        return new MeasuredTrajectory(data.Time.AsSpan(start, count).ToArray(), x.Slice(start, count));
    }

    /// <summary>States x = (o, v) of rows 0..N−1 and their difference estimates of dx/dt (row N only serves as a difference end).</summary>
    private (StateMatrix X, StateMatrix Dx) StatesAndDifferences(LipsonData data)
    {
        int n = data.Rows - 1;
        if (n < 2)
            throw new ArgumentException($"{data.Source}: need at least 3 rows, got {data.Rows}");
        var x = new double[2 * n];
        var dx = new double[2 * n];
        var t = data.Time;
        for (int i = 0; i < n; i++)
        {
            x[2 * i] = data.Angle[i];
            x[2 * i + 1] = data.AngularVelocity[i];
            if (Targets == Differences.Forward)
            {
                double dt = t[i + 1] - t[i];
                dx[2 * i] = (data.Angle[i + 1] - data.Angle[i]) / dt;
                dx[2 * i + 1] = (data.AngularVelocity[i + 1] - data.AngularVelocity[i]) / dt;
            }
            else
            {
                // The derivative at t[i] of the parabola through rows j, j+1, j+2 (j = i − 1, or 0 at the first row).
                int j = Math.Max(i - 1, 0);
                var (a, b, c) = ParabolaSlope(t[j], t[j + 1], t[j + 2], t[i]);
                dx[2 * i] = a * data.Angle[j] + b * data.Angle[j + 1] + c * data.Angle[j + 2];
                dx[2 * i + 1] = a * data.AngularVelocity[j] + b * data.AngularVelocity[j + 1] + c * data.AngularVelocity[j + 2];
            }
        }
        return (new StateMatrix(x, n, 2), new StateMatrix(dx, n, 2));
    }

    /// <summary>
    /// Weights (a, b, c) with a·f0 + b·f1 + c·f2 = p'(s) for the parabola p through (t0, f0), (t1, f1), (t2, f2): the
    /// derivatives of its Lagrange basis at s. Exact for quadratics, so second-order accurate on smooth data.
    /// </summary>
    public static (double A, double B, double C) ParabolaSlope(double t0, double t1, double t2, double s) =>
        (
            ((s - t1) + (s - t2)) / ((t0 - t1) * (t0 - t2)),
            ((s - t0) + (s - t2)) / ((t1 - t0) * (t1 - t2)),
            ((s - t0) + (s - t1)) / ((t2 - t0) * (t2 - t1))
        );
}

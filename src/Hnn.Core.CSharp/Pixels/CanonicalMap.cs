namespace Hnn.Pixels;

/// <summary>
/// A least-squares cubic polynomial from a 2-d latent code z to the pendulum's canonical coordinates (θ, p = 0.25·θ̇):
/// the bridge that lets a latent path be scored with the true energy. Inputs are standardised, the ten monomials of
/// degree ≤ 3 are fitted by normal equations in float64 (a tiny ridge keeps them solvable).
/// </summary>
/// <param name="Mean">Mean of each latent coordinate over the fitting set.</param>
/// <param name="Scale">Standard deviation of each latent coordinate over the fitting set.</param>
/// <param name="Coefficients">[<see cref="Features"/>, 2] coefficients, row-major: one column for θ, one for p.</param>
public sealed record CanonicalMap(double[] Mean, double[] Scale, double[] Coefficients)
{
    /// <summary>Number of monomials: 1, u, v, u², uv, v², u³, u²v, uv², v³.</summary>
    public const int Features = 10;

    /// <summary>Fits the map to latent codes <paramref name="z"/> [N, 2] and their coordinates <paramref name="target"/> [N, 2].</summary>
    /// <exception cref="ArgumentException">The arrays disagree in length or hold fewer than <see cref="Features"/> rows.</exception>
    public static CanonicalMap Fit(ReadOnlySpan<double> z, ReadOnlySpan<double> target)
    {
        if (z.Length != target.Length || z.Length % 2 != 0)
            throw new ArgumentException($"need [N, 2] codes and targets, got {z.Length} and {target.Length} values");
        int n = z.Length / 2;
        if (n < Features)
            throw new ArgumentException($"need at least {Features} rows, got {n}");
        var mean = new double[2];
        var scale = new double[2];
        for (int j = 0; j < 2; j++)
        {
            double m = 0,
                s = 0;
            for (int i = 0; i < n; i++)
                m += z[2 * i + j];
            m /= n;
            for (int i = 0; i < n; i++)
                s += (z[2 * i + j] - m) * (z[2 * i + j] - m);
            mean[j] = m;
            scale[j] = Math.Sqrt(s / n) is var sd && sd > 0 ? sd : 1.0;
        }
        var shell = new CanonicalMap(mean, scale, new double[2 * Features]);
        var normal = new double[Features, Features];
        var rhs = new double[Features, 2];
        Span<double> phi = stackalloc double[Features];
        for (int i = 0; i < n; i++)
        {
            shell.Monomials(z[2 * i], z[2 * i + 1], phi);
            for (int a = 0; a < Features; a++)
            {
                for (int b = 0; b < Features; b++)
                    normal[a, b] += phi[a] * phi[b];
                rhs[a, 0] += phi[a] * target[2 * i];
                rhs[a, 1] += phi[a] * target[2 * i + 1];
            }
        }
        for (int a = 0; a < Features; a++)
            normal[a, a] += 1e-9 * n;
        return shell with { Coefficients = Solve(normal, rhs) };
    }

    /// <summary>The canonical coordinates (θ, p) the map assigns to the latent code (z₀, z₁).</summary>
    public (double Theta, double P) Apply(double z0, double z1)
    {
        Span<double> phi = stackalloc double[Features];
        Monomials(z0, z1, phi);
        double theta = 0,
            p = 0;
        for (int a = 0; a < Features; a++)
        {
            theta += phi[a] * Coefficients[2 * a];
            p += phi[a] * Coefficients[2 * a + 1];
        }
        return (theta, p);
    }

    /// <summary>The coefficient of determination R² of θ and of p on codes <paramref name="z"/> [N, 2] with true coordinates <paramref name="target"/>.</summary>
    public (double Theta, double P) RSquared(ReadOnlySpan<double> z, ReadOnlySpan<double> target) =>
        (RSquared(z, target, 0), RSquared(z, target, 1));

    private double RSquared(ReadOnlySpan<double> z, ReadOnlySpan<double> target, int j)
    {
        int n = z.Length / 2;
        double mean = 0,
            residual = 0,
            total = 0;
        for (int i = 0; i < n; i++)
            mean += target[2 * i + j];
        mean /= n;
        for (int i = 0; i < n; i++)
        {
            var (theta, p) = Apply(z[2 * i], z[2 * i + 1]);
            double e = (j == 0 ? theta : p) - target[2 * i + j];
            residual += e * e;
            total += (target[2 * i + j] - mean) * (target[2 * i + j] - mean);
        }
        return 1 - residual / total;
    }

    private void Monomials(double z0, double z1, Span<double> phi)
    {
        double u = (z0 - Mean[0]) / Scale[0],
            v = (z1 - Mean[1]) / Scale[1];
        phi[0] = 1;
        phi[1] = u;
        phi[2] = v;
        phi[3] = u * u;
        phi[4] = u * v;
        phi[5] = v * v;
        phi[6] = u * u * u;
        phi[7] = u * u * v;
        phi[8] = u * v * v;
        phi[9] = v * v * v;
    }

    /// <summary>Solves A X = B by Gaussian elimination with partial pivoting; X row-major [n, 2].</summary>
    private static double[] Solve(double[,] a, double[,] b)
    {
        int n = a.GetLength(0);
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < n; r++)
                if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col]))
                    pivot = r;
            for (int c = 0; c < n; c++)
                (a[col, c], a[pivot, c]) = (a[pivot, c], a[col, c]);
            for (int c = 0; c < 2; c++)
                (b[col, c], b[pivot, c]) = (b[pivot, c], b[col, c]);
            for (int r = col + 1; r < n; r++)
            {
                double f = a[r, col] / a[col, col];
                for (int c = col; c < n; c++)
                    a[r, c] -= f * a[col, c];
                for (int c = 0; c < 2; c++)
                    b[r, c] -= f * b[col, c];
            }
        }
        var x = new double[2 * n];
        for (int r = n - 1; r >= 0; r--)
        for (int c = 0; c < 2; c++)
        {
            double s = b[r, c];
            for (int k = r + 1; k < n; k++)
                s -= a[r, k] * x[2 * k + c];
            x[2 * r + c] = s / a[r, r];
        }
        return x;
    }
}

namespace Hnn.Data;

/// <summary>Deterministic random draws for data recipes (System.Random with a seed, Box–Muller normals).</summary>
public sealed class Sampling(int seed)
{
    private readonly Random random = new(seed);

    /// <summary>A uniform draw in [0, 1).</summary>
    public double Uniform() => random.NextDouble();

    /// <summary>A uniform draw in [low, high).</summary>
    public double Uniform(double low, double high) => low + (high - low) * random.NextDouble();

    /// <summary>A standard normal draw.</summary>
    public double Normal()
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>n evenly spaced points from start to stop, both included.</summary>
    public static double[] Linspace(double start, double stop, int n) =>
        n == 1 ? [start] : Enumerable.Range(0, n).Select(i => start + (stop - start) * i / (n - 1)).ToArray();
}

namespace Hnn.Data;

/// <summary>Where each row of a split sits: its time and the trajectory it belongs to (rows of one trajectory are consecutive, in time order).</summary>
/// <param name="Times">Time of each row.</param>
/// <param name="Trajectories">Trajectory id of each row.</param>
public sealed record Timeline(double[] Times, int[] Trajectories)
{
    /// <summary>The number of rows.</summary>
    public int Rows => Times.Length;

    /// <summary><paramref name="count"/> trajectories sampled at the same <paramref name="times"/>, ids from <paramref name="firstId"/>.</summary>
    public static Timeline Regular(int count, double[] times, int firstId = 0)
    {
        var t = new double[count * times.Length];
        var ids = new int[t.Length];
        for (int k = 0; k < count; k++)
        for (int i = 0; i < times.Length; i++)
        {
            t[k * times.Length + i] = times[i];
            ids[k * times.Length + i] = firstId + k;
        }
        return new Timeline(t, ids);
    }

    /// <summary>The rows [start, start + count).</summary>
    public Timeline Slice(int start, int count) => new(Times.AsSpan(start, count).ToArray(), Trajectories.AsSpan(start, count).ToArray());

    /// <summary>These rows followed by <paramref name="other"/>'s.</summary>
    public Timeline Concat(Timeline other) => new([.. Times, .. other.Times], [.. Trajectories, .. other.Trajectories]);

    /// <summary>
    /// Pairs of consecutive rows of the same trajectory (row i, row i + 1, Δt): the transitions an
    /// integrator-supervised loss learns from.
    /// </summary>
    public TransitionPairs Pairs()
    {
        var from = new List<int>();
        var dt = new List<double>();
        for (int i = 0; i + 1 < Rows; i++)
            if (Trajectories[i] == Trajectories[i + 1] && Times[i + 1] > Times[i])
            {
                from.Add(i);
                dt.Add(Times[i + 1] - Times[i]);
            }
        return new TransitionPairs([.. from], [.. from.Select(i => i + 1)], [.. dt]);
    }
}

/// <summary>Transitions between rows of a split: row <c>From[i]</c> evolves into row <c>To[i]</c> in time <c>Dt[i]</c>.</summary>
/// <param name="From">Start rows.</param>
/// <param name="To">End rows.</param>
/// <param name="Dt">Time steps.</param>
public sealed record TransitionPairs(int[] From, int[] To, double[] Dt)
{
    /// <summary>The number of transitions.</summary>
    public int Count => From.Length;
}

using Hnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Hnn.Models.Sampled;

/// <summary>
/// The linear least-squares problem of a sampled field, f(x) = Σ_p P_p·∇F_p(x) over parts p (H with P = M; D with
/// P = I), each ∇F_p = Σ_t (S_t ⊙ c_p)·G_t linear in its coefficients c_p (<see cref="SampledFunction.GradientTerms"/>).
/// Unknowns: all c_p stacked, T = Σ M_p. One row per state and coordinate; the normal equations AᵀA c = Aᵀy are
/// accumulated in chunks of states, so memory is O(T²) plus one chunk whatever the number of states. float64.
/// </summary>
/// <remarks>
/// With V_t = G_t·P_pᵀ [M, D] the rows of state i are Σ_k S_t[i, k] V_t[k, :] per unknown k, so
/// AᵀA = Σ_{t, u} (S_tᵀS_u) ⊙ (V_t V_uᵀ) block by block, and Aᵀy = Σ_t (S_t ⊙ (Y V_tᵀ)) summed over the states:
/// one [M, n]·[n, M] product per pair of terms, none of size D·n.
/// </remarks>
internal sealed class FieldLeastSquares
{
    const long ChunkElements = 1 << 21;

    readonly IReadOnlyList<(SampledFunction Function, Tensor? Structure)> parts;
    readonly int[] offsets;

    /// <summary>The problem for these parts; a part's structure M is null for a gradient part (D).</summary>
    public FieldLeastSquares(IReadOnlyList<(SampledFunction Function, Tensor? Structure)> parts)
    {
        this.parts = parts;
        offsets = new int[parts.Count + 1];
        for (int p = 0; p < parts.Count; p++)
            offsets[p + 1] = offsets[p] + parts[p].Function.Width;
    }

    /// <summary>Unknowns T.</summary>
    public int Unknowns => offsets[^1];

    /// <summary>The columns of the unknowns of a model whose parts keep only their first <paramref name="width"/> neurons.</summary>
    public long[] Leading(int width) =>
        Enumerable
            .Range(0, parts.Count)
            .SelectMany(p => Enumerable.Range(offsets[p], Math.Min(width, parts[p].Function.Width)))
            .Select(k => (long)k)
            .ToArray();

    /// <summary>States per chunk, so that the chunk's [n, T] slopes stay near 2²¹ numbers.</summary>
    int ChunkStates() => (int)Math.Max(16, ChunkElements / Math.Max(1, 2L * Unknowns));

    /// <summary>The normal equations over states x [N, D] and targets y [N, D]: (AᵀA [T, T], Aᵀy [T], yᵀy).</summary>
    public (Tensor Gram, Tensor Right, double TargetSquares) Accumulate(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        var gram = zeros(Unknowns, Unknowns, ScalarType.Float64);
        var right = zeros(Unknowns, ScalarType.Float64);
        double squares = 0;
        long n = x.shape[0];
        var rows = FieldRows();
        var products = new Tensor[rows.Count, rows.Count];
        for (int t = 0; t < rows.Count; t++)
        for (int u = t; u < rows.Count; u++)
            products[t, u] = rows[t].Rows.matmul(rows[u].Rows.t());
        int chunk = ChunkStates();
        for (long start = 0; start < n; start += chunk)
        {
            using var inner = NewDisposeScope();
            long count = Math.Min(chunk, n - start);
            var xs = x.narrow(0, start, count);
            var ys = y.narrow(0, start, count);
            var slopes = Slopes(xs);
            for (int t = 0; t < rows.Count; t++)
            {
                var (pt, vt) = rows[t];
                var st = slopes[t];
                right.narrow(0, offsets[pt], vt.shape[0]).PlusInPlace((st * ys.matmul(vt.t())).sum([0]));
                for (int u = t; u < rows.Count; u++)
                {
                    var (pu, vu) = rows[u];
                    var block = st.t().matmul(slopes[u]) * products[t, u];
                    gram.narrow(0, offsets[pt], vt.shape[0]).narrow(1, offsets[pu], vu.shape[0]).PlusInPlace(block);
                    if (u != t)
                        gram.narrow(0, offsets[pu], vu.shape[0]).narrow(1, offsets[pt], vt.shape[0]).PlusInPlace(block.t());
                }
            }
            squares += ys.Squared().sum().item<double>();
        }
        return (gram.MoveToOuterDisposeScope(), right.MoveToOuterDisposeScope(), squares);
    }

    /// <summary>
    /// Σ over states and coordinates of (f_κ(x) − y)² for K coefficient vectors at once (the columns of
    /// <paramref name="coefficients"/> [T, K]): [K], float64.
    /// </summary>
    public Tensor SquaredErrors(Tensor x, Tensor y, Tensor coefficients)
    {
        using var scope = NewDisposeScope();
        long k = coefficients.shape[1],
            d = x.shape[1],
            n = x.shape[0];
        var errors = zeros(k, ScalarType.Float64);
        // Per term, the field of every candidate per unit slope: V_t[m, j]·c[m, κ] as [M, D·K].
        var mixed = FieldRows()
            .Select(r =>
            {
                var c = coefficients.narrow(0, offsets[r.Part], r.Rows.shape[0]);
                return (r.Rows.unsqueeze(2) * c.unsqueeze(1)).reshape(r.Rows.shape[0], d * k);
            })
            .ToArray();
        int chunk = (int)Math.Max(16, ChunkElements / (2 * Math.Max(Unknowns, d * k)));
        for (long start = 0; start < n; start += chunk)
        {
            using var inner = NewDisposeScope();
            long count = Math.Min(chunk, n - start);
            var xs = x.narrow(0, start, count);
            var ys = y.narrow(0, start, count);
            var slopes = Slopes(xs);
            Tensor? field = null;
            for (int t = 0; t < mixed.Length; t++)
            {
                var term = slopes[t].matmul(mixed[t]);
                field = field is null ? term : field.Plus(term);
            }
            errors.PlusInPlace((field!.reshape(count, d, k) - ys.unsqueeze(2)).Squared().sum([0, 1]));
        }
        return errors.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The ridge solutions for every λ in <paramref name="ridges"/>, restricted to the unknowns
    /// <paramref name="columns"/> and scattered into [T, L] (zero elsewhere). Jacobi-scaled, so λ is relative to each
    /// unknown's own column norm: with D = diag G, (D^−½ G D^−½ + λI) z = D^−½ r and c = D^−½ z. One symmetric
    /// eigendecomposition D^−½ G D^−½ = V diag(ℓ) Vᵀ serves every λ, z = V (Vᵀ D^−½ r ⊘ (ℓ + λ)): on this machine it
    /// costs about five Cholesky factorisations, so it is cheaper than one per λ from six λ on. Eigenvalues below zero
    /// (round-off of a singular G) count as zero.
    /// </summary>
    public Tensor SolveAll(Tensor gram, Tensor right, long[] columns, IReadOnlyList<double> ridges)
    {
        using var scope = NewDisposeScope();
        var (index, scale, scaled) = Scaled(gram, columns);
        var (values, vectors) = linalg.eigh(scaled);
        var projected = vectors.t().matmul(right.index_select(0, index) * scale); // Vᵀ D^−½ r, [m]
        var lambdas = tensor(ridges.ToArray(), ScalarType.Float64);
        var z = vectors.matmul(projected.unsqueeze(1) / values.AtLeast(0).unsqueeze(1).Plus(lambdas.unsqueeze(0))); // [m, L]
        var solutions = zeros(Unknowns, ridges.Count, ScalarType.Float64);
        solutions.index_copy_(0, index, z * scale.unsqueeze(1));
        return solutions.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The ridge solution for one λ (as <see cref="SolveAll"/>) by a Cholesky factorisation, [T]; by the
    /// eigendecomposition when the ridged system is not numerically positive definite.
    /// </summary>
    public Tensor Solve(Tensor gram, Tensor right, long[] columns, double ridge)
    {
        using var scope = NewDisposeScope();
        var (index, scale, scaled) = Scaled(gram, columns);
        scaled.diagonal().PlusInPlace(ridge);
        var (factor, info) = linalg.cholesky_ex(scaled);
        if (info.item<int>() != 0)
            return SolveAll(gram, right, columns, [ridge]).squeeze(1).MoveToOuterDisposeScope();
        var z = cholesky_solve((right.index_select(0, index) * scale).unsqueeze(1), factor).squeeze(1);
        var solution = zeros(Unknowns, ScalarType.Float64);
        solution.index_copy_(0, index, z * scale);
        return solution.MoveToOuterDisposeScope();
    }

    /// <summary>The unknowns' index, D^−½ and D^−½ G D^−½ restricted to <paramref name="columns"/>.</summary>
    static (Tensor Index, Tensor Scale, Tensor Scaled) Scaled(Tensor gram, long[] columns)
    {
        var index = tensor(columns);
        var g = gram.index_select(0, index).index_select(1, index);
        // A column that is zero over every state (a neuron flat on the data) keeps c = 0.
        var diagonal = g.diagonal().data<double>().ToArray();
        var scale = tensor(diagonal.Select(v => v > 0 ? 1 / Math.Sqrt(v) : 0).ToArray(), ScalarType.Float64);
        return (index, scale, g * scale.unsqueeze(1) * scale.unsqueeze(0));
    }

    /// <summary>Every term of every part: (part, field rows V_t = G_t·Pᵀ [M, D]), in the order of <see cref="Slopes"/>.</summary>
    List<(int Part, Tensor Rows)> FieldRows()
    {
        var rows = new List<(int, Tensor)>();
        for (int p = 0; p < parts.Count; p++)
        {
            var (function, structure) = parts[p];
            foreach (var g in function.GradientRows())
                rows.Add((p, structure is null ? g : g.matmul(structure.t())));
        }
        return rows;
    }

    /// <summary>Every term's slopes S_t [n, M] at states xs, in the order of <see cref="FieldRows"/>.</summary>
    List<Tensor> Slopes(Tensor xs) => [.. parts.SelectMany(part => part.Function.GradientSlopes(xs))];
}

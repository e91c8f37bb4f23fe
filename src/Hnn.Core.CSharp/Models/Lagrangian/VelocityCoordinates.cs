using Hnn.Data;
using Hnn.Systems;
using static TorchSharp.torch;

namespace Hnn.Models.Lagrangian;

/// <summary>
/// Canonical (q, p) ⇄ velocity coordinates (q, q̇) through a system's known kinetic energy: the Legendre map
/// q̇ = ∂H/∂p(q, p), which is the position part of the system's own field. This is what a Lagrangian network needs to
/// learn from, and be evaluated on, canonical data: the one place the run path converts (datasets for training, protocol
/// starts and rollouts for the energy metrics). All arithmetic is float64, as data generation and evaluation are.
/// </summary>
/// <remarks>
/// Derivatives of the map are central differences of the system's field, so any <see cref="IHamiltonianSystem"/> serves;
/// for the quadratic kinetic energies of the tasks (q̇ linear in p) they are exact to round-off, and the inverse map is
/// reached in one Newton step.
/// </remarks>
public static class VelocityCoordinates
{
    /// <summary>Relative size of the difference steps (truncation ~1e-10, round-off ~1e-11 relative).</summary>
    const double DifferenceStep = 1e-5;

    /// <summary>(q, p) → (q, q̇) with q̇ = ∂H/∂p, row by row.</summary>
    /// <exception cref="ArgumentException">The states do not have the system's dimension.</exception>
    public static StateMatrix FromCanonical(IHamiltonianSystem system, StateMatrix canonical)
    {
        Check(system, canonical, nameof(canonical));
        int d = canonical.Columns,
            n = d / 2;
        var result = (double[])canonical.Values.Clone();
        var field = new double[d];
        for (int r = 0; r < canonical.Rows; r++)
        {
            system.TimeDerivative(canonical.Row(r), field);
            field.AsSpan(0, n).CopyTo(result.AsSpan(r * d + n, n));
        }
        return new StateMatrix(result, canonical.Rows, d);
    }

    /// <summary>
    /// d/dt of the velocity coordinates along given canonical derivatives, by the chain rule through the Legendre map:
    /// (dq/dt, q̈) with q̈ = ∂q̇/∂q·dq/dt + ∂q̇/∂p·dp/dt = ∂²H/∂p∂q·q̇ + ∂²H/∂p²·ṗ, a central difference of the map along
    /// (dq/dt, dp/dt). The derivatives are the data's own (exact, measured or estimated), so the targets carry what the
    /// canonical targets carry, and dq/dt is unchanged: both coordinate systems share q.
    /// </summary>
    public static StateMatrix Derivatives(IHamiltonianSystem system, StateMatrix canonical, StateMatrix canonicalDerivatives)
    {
        Check(system, canonical, nameof(canonical));
        Check(system, canonicalDerivatives, nameof(canonicalDerivatives));
        if (canonical.Rows != canonicalDerivatives.Rows)
            throw new ArgumentException($"{canonical.Rows} states but {canonicalDerivatives.Rows} derivatives");
        int d = canonical.Columns,
            n = d / 2;
        var result = new double[canonical.Values.Length];
        var plus = new double[d];
        var minus = new double[d];
        var fieldPlus = new double[d];
        var fieldMinus = new double[d];
        for (int r = 0; r < canonical.Rows; r++)
        {
            var x = canonical.Row(r);
            var v = canonicalDerivatives.Row(r);
            double eps = DifferenceStep * (1 + Norm(x)) / Math.Max(Norm(v), 1e-300);
            for (int j = 0; j < d; j++)
            {
                plus[j] = x[j] + eps * v[j];
                minus[j] = x[j] - eps * v[j];
            }
            system.TimeDerivative(plus, fieldPlus);
            system.TimeDerivative(minus, fieldMinus);
            for (int j = 0; j < n; j++)
            {
                result[r * d + j] = v[j];
                result[r * d + n + j] = Norm(v) == 0 ? 0 : (fieldPlus[j] - fieldMinus[j]) / (2 * eps);
            }
        }
        return new StateMatrix(result, canonical.Rows, d);
    }

    /// <summary>
    /// A canonical dataset in velocity coordinates: states by <see cref="FromCanonical(IHamiltonianSystem, StateMatrix)"/>, targets by
    /// <see cref="Derivatives"/>, timelines unchanged (the same rows at the same times).
    /// </summary>
    public static Dataset FromCanonical(IHamiltonianSystem system, Dataset canonical)
    {
        ArgumentNullException.ThrowIfNull(canonical);
        return canonical with
        {
            TrainX = FromCanonical(system, canonical.TrainX),
            TrainDx = Derivatives(system, canonical.TrainX, canonical.TrainDx),
            TestX = FromCanonical(system, canonical.TestX),
            TestDx = Derivatives(system, canonical.TestX, canonical.TestDx),
        };
    }

    /// <summary>
    /// (q, q̇) → (q, p): the inverse Legendre map, solving ∂H/∂p(q, p) = q̇ for p by Newton's method from p = 0, all rows
    /// at once (the Jacobians ∂²H/∂p² by central differences, the steps by a batched float64 solve). A row that is not finite
    /// (a diverged path's sample) maps to a row of NaN.
    /// </summary>
    /// <exception cref="InvalidOperationException">The iteration did not converge: the kinetic energy is not invertible there.</exception>
    public static StateMatrix ToCanonical(IHamiltonianSystem system, StateMatrix velocity)
    {
        Check(system, velocity, nameof(velocity));
        int rows = velocity.Rows,
            d = velocity.Columns,
            n = d / 2;
        var x = (double[])velocity.Values.Clone();
        var blank = new bool[rows];
        for (int r = 0; r < rows; r++)
        {
            blank[r] = !velocity.Row(r).ToArray().All(double.IsFinite);
            if (blank[r])
                Array.Fill(x, double.NaN, r * d, d);
            else
                Array.Clear(x, r * d + n, n);
        }
        var residual = new double[rows * n];
        var jacobian = new double[rows * n * n];
        var field = new double[d];
        var probe = new double[d];
        var fieldPlus = new double[d];
        var fieldMinus = new double[d];
        for (int iteration = 0; iteration < 50; iteration++)
        {
            bool converged = true;
            for (int r = 0; r < rows; r++)
            {
                if (blank[r])
                {
                    // No step: a zero residual against an identity Jacobian keeps the solve regular.
                    Array.Clear(residual, r * n, n);
                    Array.Clear(jacobian, r * n * n, n * n);
                    for (int i = 0; i < n; i++)
                        jacobian[(r * n + i) * n + i] = 1;
                    continue;
                }
                var state = x.AsSpan(r * d, d);
                system.TimeDerivative(state, field);
                var target = velocity.Row(r).Slice(n, n);
                for (int i = 0; i < n; i++)
                {
                    residual[r * n + i] = field[i] - target[i];
                    if (!(Math.Abs(residual[r * n + i]) <= 1e-13 * (1 + Math.Abs(target[i]))))
                        converged = false;
                }
                for (int j = 0; j < n; j++)
                {
                    double h = DifferenceStep * (1 + Math.Abs(state[n + j]));
                    state.CopyTo(probe);
                    probe[n + j] = state[n + j] + h;
                    system.TimeDerivative(probe, fieldPlus);
                    probe[n + j] = state[n + j] - h;
                    system.TimeDerivative(probe, fieldMinus);
                    for (int i = 0; i < n; i++)
                        jacobian[(r * n + i) * n + j] = (fieldPlus[i] - fieldMinus[i]) / (2 * h);
                }
            }
            if (converged)
                return new StateMatrix(x, rows, d);
            using var scope = NewDisposeScope();
            var step = linalg.solve(tensor(jacobian, [rows, n, n], ScalarType.Float64), tensor(residual, [rows, n, 1], ScalarType.Float64));
            var values = step.contiguous().data<double>().ToArray();
            for (int r = 0; r < rows; r++)
            for (int i = 0; i < n; i++)
                x[r * d + n + i] -= values[r * n + i];
        }
        throw new InvalidOperationException(
            $"the velocities of {system.Name} could not be mapped back to momenta: Newton's method on q̇ = ∂H/∂p did not converge in 50 steps"
        );
    }

    static void Check(IHamiltonianSystem system, StateMatrix states, string name)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(states, name);
        if (states.Columns != system.Dimension)
            throw new ArgumentException($"{name} have {states.Columns} columns but {system.Name} has dimension {system.Dimension}", name);
        if (system.Dimension % 2 != 0)
            throw new ArgumentException($"{system.Name} has odd dimension {system.Dimension}: no (q, p) to map", name);
    }

    static double Norm(ReadOnlySpan<double> v)
    {
        double s = 0;
        foreach (var a in v)
            s += a * a;
        return Math.Sqrt(s);
    }
}

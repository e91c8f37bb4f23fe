namespace Hnn.Integrators;

/// <summary>
/// An integration method: a Butcher tableau, a drift–kick table, or implicit midpoint. Every method takes fixed
/// steps; an embedded tableau with a dense output can also adapt its steps (<see cref="ButcherTableau.CanAdapt"/>).
/// </summary>
public interface IFixedStepMethod
{
    /// <summary>The method's name, e.g. "RK4".</summary>
    string Name { get; }

    /// <summary>Global order of accuracy p: the error after a fixed time is O(hᵖ).</summary>
    int Order { get; }

    /// <summary>Whether the one-step map is symplectic (for a Hamiltonian field).</summary>
    bool IsSymplectic { get; }

    /// <summary>A stepper with its own work buffers for a batch of <paramref name="count"/> states of dimension <paramref name="dim"/>.</summary>
    IStepper CreateStepper(BatchVectorField field, int count, int dim);
}

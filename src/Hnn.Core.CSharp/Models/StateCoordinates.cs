namespace Hnn.Models;

/// <summary>The coordinates a model's states are in. The datasets and energy protocols are canonical (q, p).</summary>
public enum StateCoordinates
{
    /// <summary>Canonical positions and momenta (q, p): every Hamiltonian model, the baseline and the step maps.</summary>
    Canonical,

    /// <summary>
    /// Positions and velocities (q, q̇): the Lagrangian network. Canonical data are mapped to these coordinates and back
    /// with a known kinetic energy (<see cref="Lagrangian.VelocityCoordinates"/>).
    /// </summary>
    Velocity,
}

namespace Hnn.Models.SympNets;

/// <summary>
/// Which half of a state (q, p) a SympNet module moves, by a function of the other half: either way a symplectic shear
/// when that function is a gradient (its Jacobian symmetric). Jin et al.'s "up" and "low" modules for states (p, q).
/// </summary>
public enum ShearKind
{
    /// <summary>p ← p + h·f(q), as the kick of a drift–kick integrator (Jin et al.'s "up").</summary>
    Kick,

    /// <summary>q ← q + h·f(p), as the drift (Jin et al.'s "low").</summary>
    Drift,
}

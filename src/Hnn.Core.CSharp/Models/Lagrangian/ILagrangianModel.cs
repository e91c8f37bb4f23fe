using static TorchSharp.torch;

namespace Hnn.Models.Lagrangian;

/// <summary>
/// A model whose field comes from a learned Lagrangian by the Euler–Lagrange equations (<see cref="LagrangianNet"/>,
/// <see cref="DeepLagrangianNet"/>): the physics checks map its states with the system's kinetic energy and measure its
/// own energy q̇·∂L/∂q̇ − L.
/// </summary>
public interface ILagrangianModel
{
    /// <summary>The learned L at each state (q, q̇) [N, 2n]: [N].</summary>
    Tensor Lagrangian(Tensor x);
}

using Hnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Hnn.Models;

/// <summary>
/// A dissipative Hamiltonian neural network (Sosanya &amp; Greydanus 2022): the network outputs a Hamiltonian H
/// and a dissipation function D, and the field is their Helmholtz sum dx/dt = M·∇H + ∇D — a solenoidal part that
/// conserves H and an irrotational part that carries friction. The same two-scalar MLP as the paper's HNN with
/// <c>field_type = "both"</c> (F1 = D, F2 = H); on a system without friction D learns ≈ a constant.
/// </summary>
/// <remarks>
/// The split is unique only up to harmonic functions (ΔD = 0), but the phase-space contraction −∇·(dx/dt) = −ΔD
/// is not: the divergence of the solenoidal part is zero, so −ΔD is what the data fix. For a linear friction
/// −γ·p on each of n momenta it equals n·γ, which makes it the model's learned damping
/// (<see cref="ContractionRate"/>).
/// </remarks>
public sealed class DissipativeHnn : HamiltonianNet
{
    /// <summary>Creates a dissipative HNN (its kind is set to <see cref="ModelKind.DissipativeHnn"/>, its field to both parts).</summary>
    public DissipativeHnn(ModelSettings settings)
        : base(nameof(DissipativeHnn), settings with { Kind = ModelKind.DissipativeHnn, Field = FieldType.Both }) { }

    /// <summary>The learned dissipation function D at each state: [N].</summary>
    public Tensor Dissipation(Tensor x)
    {
        using var f = Potentials(x);
        return f.select(1, 0);
    }

    /// <summary>The energy-conserving part of the field, M·∇H: [N, D].</summary>
    public Tensor ConservativeField(Tensor x)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return Symplectic(Gradient(x, 1)).MoveToOuterDisposeScope();
    }

    /// <summary>The dissipative part of the field, ∇D: [N, D].</summary>
    public Tensor DissipativeField(Tensor x)
    {
        using var _ = no_grad();
        return Gradient(x, 0);
    }

    /// <summary>
    /// −ΔD = −∇·(dx/dt) at each state [N]: the rate at which the learned flow contracts phase-space volume
    /// (1/time), by autograd through the written-out ∇D. Zero for a conservative model; γ for a single degree of
    /// freedom with friction −γ·p.
    /// </summary>
    public Tensor ContractionRate(Tensor x)
    {
        using var scope = NewDisposeScope();
        using var gradMode = enable_grad();
        var input = x.detach().requires_grad_(true);
        var gradient = Gradient(input, 0);
        int d = (int)x.shape[1];
        Tensor laplacian = zeros(x.shape[0], dtype: x.dtype);
        for (int i = 0; i < d; i++)
        {
            var component = gradient.select(1, i).sum();
            var second = autograd.grad([component], [input], retain_graph: i < d - 1, create_graph: false)[0];
            laplacian = laplacian.Plus(second.select(1, i));
        }
        return (-laplacian).detach().MoveToOuterDisposeScope();
    }
}

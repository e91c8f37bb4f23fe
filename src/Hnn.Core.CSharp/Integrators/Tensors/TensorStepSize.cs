using Hnn.Tensors;
using static TorchSharp.torch;

namespace Hnn.Integrators;

/// <summary>
/// The step of a tensor stepper: one size for the whole batch (solves), or a column [N, 1] with one size per row
/// (integrator-supervised training, where each pair of states has its own time step).
/// </summary>
internal readonly struct TensorStepSize
{
    private readonly double size;
    private readonly Tensor? perRow;

    private TensorStepSize(double size, Tensor? perRow)
    {
        this.size = size;
        this.perRow = perRow;
    }

    /// <summary>One size for every row.</summary>
    public static implicit operator TensorStepSize(double h) => new(h, null);

    /// <summary>One size per row: a column [N, 1] (may carry an autograd graph).</summary>
    public static TensorStepSize PerRow(Tensor h) => new(double.NaN, h);

    /// <summary>
    /// x + (h·w)·y: one fused libtorch call with the number h·w for a single size; (h·w)·y then the sum for a
    /// column of sizes.
    /// </summary>
    public Tensor AddScaled(Tensor x, Tensor y, double w) => perRow is null ? x.AddScaled(y, size * w) : x.Plus(perRow.Times(w) * y);

    /// <summary>The single size.</summary>
    /// <exception cref="NotSupportedException">The step has one size per row.</exception>
    public double Single(string method) =>
        perRow is null ? size : throw new NotSupportedException($"{method} takes one step size for the whole batch, not one per row");
}

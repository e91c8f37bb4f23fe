using Hnn.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Hnn.Evaluation;

/// <summary>A trained model as a vector field for the tensor integrators.</summary>
public static class ModelField
{
    /// <summary>
    /// A float64 copy of <paramref name="model"/>: the same learned function evaluated in double precision.
    /// Trained in float32 (as the paper), the network's output carries float32 rounding noise that an adaptive
    /// integrator at rtol 1e-9…1e-10 cannot step through; the float64 copy is smooth to those tolerances.
    /// </summary>
    public static DynamicsModel ToFloat64(DynamicsModel model)
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            model.save(writer);
        }
        memory.Position = 0;
        var copy = DynamicsModel.Create(model.Settings);
        using (var reader = new BinaryReader(memory, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            copy.load(reader, strict: true);
        }
        copy.to(ScalarType.Float64);
        copy.eval();
        return copy;
    }

    /// <summary>dx/dt of the model for states [N, D] of the model's dtype, detached (no graph to the weights).</summary>
    public static Func<Tensor, Tensor> Of(DynamicsModel model) =>
        x =>
        {
            using var d = model.TimeDerivative(x, createGraph: false);
            return d.detach();
        };
}

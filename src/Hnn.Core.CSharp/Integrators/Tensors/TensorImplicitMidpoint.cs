using Hnn.Tensors;
using static TorchSharp.torch;

namespace Hnn.Integrators;

/// <summary>The implicit midpoint step on a batch of tensors [N, D], its stage solved by fixed-point iteration.</summary>
internal static class TensorImplicitMidpoint
{
    /// <summary>
    /// x(t + h) = x + h·k with k = field(x + h/2·k). The tolerance is raised to 10 machine epsilons of the
    /// dtype if it is below that (float32 cannot resolve 1e-12).
    /// </summary>
    /// <exception cref="InvalidOperationException">The iteration did not converge.</exception>
    public static Tensor Step(ImplicitMidpoint settings, Func<Tensor, Tensor> field, Tensor x, double h)
    {
        settings.Validate();
        double epsilon = x.dtype == ScalarType.Float64 ? Math.BitIncrement(1.0) - 1 : MathF.BitIncrement(1f) - 1;
        double tolerance = Math.Max(settings.Tolerance, 10 * epsilon);
        var k = TensorField.Evaluate(field, x, x);
        var denominator = x.abs().Plus(1);
        for (int iteration = 1; ; iteration++)
        {
            var next = TensorField.Evaluate(field, x.AddScaled(k, h / 2), x);
            var change = (next - k).abs().Times(Math.Abs(h) / 2).div(denominator);
            change = change.nan_to_num(double.PositiveInfinity, double.PositiveInfinity);
            double worst = change.max().to_type(ScalarType.Float64).item<double>();
            k = next;
            if (worst <= tolerance)
                break;
            if (iteration >= settings.MaxIterations || !double.IsFinite(worst))
            {
                long row = change.amax([1]).argmax().item<long>();
                throw new InvalidOperationException(
                    $"implicit midpoint: the stage iteration did not converge within {iteration} iterations, h = {h:R} "
                        + $"(trajectory {row}, relative change {worst:R} > tolerance {tolerance:R}); use a smaller step"
                );
            }
        }
        return x.AddScaled(k, h);
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Hnn.Training;

/// <summary>
/// torch's Adam (Kingma &amp; Ba 2015, L2 weight decay added to the gradient) with the same arithmetic, in the same
/// order, as TorchSharp 0.107's <see cref="TorchSharp.Modules.Adam"/>, so results and saved optimiser states are
/// bit-identical to it; only the numbers it hands libtorch are owned (see <see cref="Hnn.Tensors.Scalars"/>).
/// </summary>
/// <remarks>
/// TorchSharp's own <c>step</c> turns eight doubles per parameter per step into Scalar temporaries that nothing keeps
/// alive during the native call (read from its compiled code: <c>mul_(beta1)</c>, <c>add_(grad, alpha: 1 − beta1)</c>,
/// <c>addcmul_(…, value: 1 − beta2)</c>, <c>sqrt() / √bias2</c>, <c>add_(eps)</c>, <c>addcdiv_(…, value: −step)</c>,
/// and the weight-decay <c>add</c>): the likeliest place for a collection to free one mid-call in a long run.
/// AMSGrad and maximisation are not offered (the paper uses neither).
/// </remarks>
public sealed class AdamOptimizer : TorchSharp.Modules.Adam
{
    /// <summary>Adam over <paramref name="parameters"/> (β = 0.9, 0.999; ε = 1e-8, as torch).</summary>
    public AdamOptimizer(IEnumerable<TorchSharp.Modules.Parameter> parameters, double learningRate, double weightDecay)
        : base(parameters, learningRate, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: weightDecay, amsgrad: false, maximize: false)
    { }

    /// <inheritdoc/>
    public override Tensor step(Func<Tensor>? closure = null) =>
        _step<ParamGroup>(
            group =>
            {
                var options = (Options)group.Options;
                double beta1 = options.beta1!.Value,
                    beta2 = options.beta2!.Value;
                double weightDecay = options.weight_decay!.Value,
                    eps = options.eps!.Value;
                double lr = options.LearningRate!.Value;
                using var beta1Scalar = beta1.ToScalar();
                using var beta2Scalar = beta2.ToScalar();
                using var oneMinusBeta1 = (1 - beta1).ToScalar();
                using var oneMinusBeta2 = (1 - beta2).ToScalar();
                using var epsScalar = eps.ToScalar();
                using var weightDecayScalar = weightDecay.ToScalar();
                foreach (var param in group.Parameters)
                {
                    var state = (State)_state[param.Handle];
                    var grad = param.grad;
                    if (grad is null)
                        continue;
                    state.step += 1;
                    double biasCorrection1 = 1 - Math.Pow(beta1, state.step);
                    double biasCorrection2 = 1 - Math.Pow(beta2, state.step);
                    if (weightDecay != 0)
                        grad = grad.add(param, weightDecayScalar);
                    state.exp_avg.mul_(beta1Scalar).add_(grad, oneMinusBeta1);
                    state.exp_avg_sq.mul_(beta2Scalar).addcmul_(grad, grad.conj(), oneMinusBeta2);
                    using var root = Math.Sqrt(biasCorrection2).ToScalar();
                    var denominator = state.exp_avg_sq.sqrt().div(root).add_(epsScalar, Hnn.Tensors.Scalars.One);
                    using var stepSize = (-(lr / biasCorrection1)).ToScalar();
                    param.addcdiv_(state.exp_avg, denominator, stepSize);
                }
            },
            closure
        );
}

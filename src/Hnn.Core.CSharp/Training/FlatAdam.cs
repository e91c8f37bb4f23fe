using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hnn.Training;

/// <summary>
/// Adam (Kingma &amp; Ba 2015, L2 weight decay added to the gradient, torch's arithmetic in torch's order, as
/// <see cref="AdamOptimizer"/>) over one contiguous float32 buffer: every parameter, its gradient and its two moment
/// estimates become views of four flat tensors, so a step is ten tensor operations whatever the number of
/// parameters, and zeroing, clipping or checking the gradients is one or two more.
/// </summary>
/// <remarks>
/// <para>
/// The parameters keep their identity (they are re-pointed at slices of the buffer with <c>set_</c>, so modules,
/// <c>parameters()</c>, saving and loading see the same objects), and backward passes accumulate into the gradient
/// views in place. Adam's state is TorchSharp's own per-parameter state (step, exp_avg, exp_avg_sq) whose tensors
/// are slices of the buffers, so <c>save_state_dict</c> and <c>load_state_dict</c> read and write exactly what
/// TorchSharp's Adam and <see cref="AdamOptimizer"/> do: a checkpoint of either resumes with the other.
/// </para>
/// <para>
/// The elementwise arithmetic is the per-parameter optimiser's, operation for operation; only where an element falls
/// in the tensor changes (libtorch's vectorised kernels run a tensor's tail, after its last full vector, through
/// scalar code), so bit-identity with <see cref="AdamOptimizer"/> is not promised in general: equal to float32
/// round-off. On this project's models it is bit-identical (the tests train both for many steps). <see cref="ClipGradientNorm"/>
/// computes libtorch's clip_grad_norm_ in libtorch's order.
/// </para>
/// <para>
/// Every parameter is updated at every step: a parameter the loss does not reach has a zero gradient (torch's Adam
/// would skip it), so its weight decay still acts. All parameters must be float32 on one device. AMSGrad and
/// maximisation are not offered (the paper uses neither). The numbers handed to libtorch are owned Scalars (see
/// <see cref="Hnn.Tensors.Scalars"/>).
/// </para>
/// </remarks>
public sealed class FlatAdam : Adam
{
    readonly Parameter[] members;
    readonly Tensor values;
    readonly Tensor gradients;
    readonly Tensor firstMoments;
    readonly Tensor secondMoments;
    readonly Tensor[] gradientViews;
    readonly Scalar maxRatio = 1.0.ToScalar();
    readonly Scalar normEpsilon = 1e-6.ToScalar();
    bool disposed;

    /// <summary>
    /// Adam over <paramref name="parameters"/> (β = 0.9, 0.999; ε = 1e-8, as torch), which from now on live in one
    /// flat buffer; their current values and gradients are kept.
    /// </summary>
    /// <exception cref="ArgumentException">No parameters, one given twice, or not all float32 on one device.</exception>
    public FlatAdam(IEnumerable<Parameter> parameters, double learningRate, double weightDecay)
        : this(parameters.ToArray(), learningRate, weightDecay) { }

    FlatAdam(Parameter[] parameters, double learningRate, double weightDecay)
        : base(
            Checked(parameters),
            learningRate,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: weightDecay,
            amsgrad: false,
            maximize: false
        )
    {
        members = parameters;
        long total = parameters.Sum(p => p.numel());
        var device = parameters[0].device;
        using var noGrad = no_grad();
        values = empty(total, ScalarType.Float32, device).DetachFromDisposeScope();
        gradients = zeros(total, ScalarType.Float32, device).DetachFromDisposeScope();
        firstMoments = zeros(total, ScalarType.Float32, device).DetachFromDisposeScope();
        secondMoments = zeros(total, ScalarType.Float32, device).DetachFromDisposeScope();
        gradientViews = new Tensor[parameters.Length];
        long offset = 0;
        for (int i = 0; i < parameters.Length; i++)
        {
            var p = parameters[i];
            long n = p.numel();
            using (var slice = Slice(values, offset, p.shape))
            {
                slice.copy_(p);
                p.set_(slice);
            }
            var grad = Slice(gradients, offset, p.shape).DetachFromDisposeScope();
            using (var existing = p.grad)
                if (existing is not null)
                    grad.copy_(existing);
            p.grad = grad;
            gradientViews[i] = grad;
            var state = (State)_state[p.Handle];
            state.exp_avg.Dispose();
            state.exp_avg_sq.Dispose();
            state.exp_avg = Slice(firstMoments, offset, p.shape).DetachFromDisposeScope();
            state.exp_avg_sq = Slice(secondMoments, offset, p.shape).DetachFromDisposeScope();
            offset += n;
        }
    }

    static Parameter[] Checked(Parameter[] parameters)
    {
        if (parameters.Length == 0)
            throw new ArgumentException("FlatAdam needs at least one parameter");
        if (parameters.Select(p => p.Handle).Distinct().Count() != parameters.Length)
            throw new ArgumentException("FlatAdam was given a parameter more than once");
        var device = parameters[0].device;
        for (int i = 0; i < parameters.Length; i++)
        {
            if (parameters[i].dtype != ScalarType.Float32)
                throw new ArgumentException($"FlatAdam keeps float32 parameters; parameter {i} is {parameters[i].dtype}");
            if (parameters[i].device.type != device.type || parameters[i].device.index != device.index)
                throw new ArgumentException(
                    $"FlatAdam keeps its parameters on one device; parameter {i} is on {parameters[i].device}, not {device}"
                );
        }
        return parameters;
    }

    static Tensor Slice(Tensor flat, long offset, long[] shape) => flat.narrow(0, offset, shape.Aggregate(1L, (a, b) => a * b)).view(shape);

    /// <summary>All parameters, one after another in the order given (a view: writing it writes the parameters).</summary>
    public Tensor Values => values;

    /// <summary>All gradients, in the parameters' order (a view: the parameters' <c>grad</c> are slices of it).</summary>
    public Tensor Gradients => gradients;

    /// <summary>Zeroes every gradient in place (one operation).</summary>
    public override void zero_grad() => gradients.zero_();

    /// <summary>The largest |gradient| over all parameters, NaN if any gradient is NaN (float32 values, exact).</summary>
    public double LargestGradient()
    {
        using var magnitudes = gradients.abs();
        using var largest = magnitudes.max();
        return largest.item<float>();
    }

    /// <summary>
    /// Rescales the gradients so their global L2 norm is at most <paramref name="maxNorm"/>, with libtorch's
    /// clip_grad_norm_ arithmetic (the norm of the parameters' norms; factor min(1, maxNorm / (norm + 1e-6))) and one
    /// multiplication of the flat buffer; returns the norm before clipping (NaN or ∞ if a gradient is).
    /// </summary>
    public double ClipGradientNorm(double maxNorm)
    {
        using var scope = NewDisposeScope();
        using var max = maxNorm.ToScalar();
        var norms = gradientViews.Select(g => g.norm()).ToArray();
        var norm = norms.Length == 1 ? norms[0] : stack(norms).norm();
        var shifted = norm.add(normEpsilon, Hnn.Tensors.Scalars.One);
        var ratio = full_like(shifted, max).div_(shifted).clamp_(max: maxRatio);
        gradients.mul_(ratio);
        return norm.item<float>();
    }

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
                long step = 0;
                for (int i = 0; i < members.Length; i++)
                {
                    var state = (State)_state[members[i].Handle];
                    state.step += 1;
                    if (i == 0)
                        step = state.step;
                    else if (state.step != step)
                        throw new InvalidOperationException(
                            $"FlatAdam's parameters are at different steps ({step} and {state.step}): a state of another optimiser was loaded"
                        );
                }
                double biasCorrection1 = 1 - Math.Pow(beta1, step);
                double biasCorrection2 = 1 - Math.Pow(beta2, step);
                using var beta1Scalar = beta1.ToScalar();
                using var beta2Scalar = beta2.ToScalar();
                using var oneMinusBeta1 = (1 - beta1).ToScalar();
                using var oneMinusBeta2 = (1 - beta2).ToScalar();
                using var epsScalar = eps.ToScalar();
                using var weightDecayScalar = weightDecay.ToScalar();
                using var root = Math.Sqrt(biasCorrection2).ToScalar();
                using var stepSize = (-(lr / biasCorrection1)).ToScalar();
                using var scope = NewDisposeScope();
                var grad = weightDecay != 0 ? gradients.add(values, weightDecayScalar) : gradients;
                firstMoments.mul_(beta1Scalar).add_(grad, oneMinusBeta1);
                secondMoments.mul_(beta2Scalar).addcmul_(grad, grad.conj(), oneMinusBeta2);
                var denominator = secondMoments.sqrt().div(root).add_(epsScalar, Hnn.Tensors.Scalars.One);
                values.addcdiv_(firstMoments, denominator, stepSize);
            },
            closure
        );

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !disposed)
        {
            disposed = true;
            foreach (var t in gradientViews.Concat([values, gradients, firstMoments, secondMoments]))
                t.Dispose();
            maxRatio.Dispose();
            normEpsilon.Dispose();
        }
        base.Dispose(disposing);
    }
}

using Hnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Hnn.Models.Sampled;

/// <summary>
/// One learned scalar function of a sampled network, F(x) = Σₖ cₖ σ(wₖ·x + bₖ) + c₀ (M neurons), with its gradient
/// ∇F = Σₖ cₖ σ′(wₖ·x + bₖ) wₖ and Laplacian ΔF = Σₖ cₖ σ″(wₖ·x + bₖ) |wₖ|² in closed form; momentum-symmetric, it is
/// ½(F(x) + F(Rx)), R flipping the momenta. Every method takes states of the parameters' dtype (float64 unless the
/// module was converted) and is differentiable with respect to them.
/// </summary>
/// <remarks>
/// The weights (w, b) are sampled (<see cref="LayerSampling"/>) and the coefficients (c, c₀) solved by least squares
/// (<see cref="SampledFit"/>); none are trained, so they are buffers, not parameters.
/// </remarks>
public sealed class SampledFunction : nn.Module
{
    // Buffer names are the saved names; TorchSharp keeps these fields pointing at the converted tensors after .to().
    private readonly Tensor weights;
    private readonly Tensor biases;
    private readonly Tensor coefficients;
    private readonly Tensor offset;
    private readonly Nonlinearity activation;
    private readonly bool momentumSymmetric;

    /// <summary>An untrained function (all weights and coefficients zero, so F ≡ 0) of the given shape, to load weights into.</summary>
    public SampledFunction(int inputDim, int width, Nonlinearity activation, bool momentumSymmetric)
        : this(
            zeros(width, inputDim, ScalarType.Float64),
            zeros(width, ScalarType.Float64),
            zeros(width, ScalarType.Float64),
            zeros(1, ScalarType.Float64),
            activation,
            momentumSymmetric
        ) { }

    /// <summary>A fitted function: a sampled layer with solved coefficients c [M] and offset c₀ (copied).</summary>
    internal SampledFunction(SampledLayer layer, Tensor coefficients, double offset, bool momentumSymmetric)
        : this(
            layer.Weights.to_type(ScalarType.Float64).clone(),
            layer.Biases.to_type(ScalarType.Float64).clone(),
            coefficients.to_type(ScalarType.Float64).clone(),
            tensor(new[] { offset }, ScalarType.Float64),
            layer.Activation,
            momentumSymmetric
        ) { }

    SampledFunction(Tensor weights, Tensor biases, Tensor coefficients, Tensor offset, Nonlinearity activation, bool momentumSymmetric)
        : base(nameof(SampledFunction))
    {
        SampledActivation.Check(activation);
        // The module owns its buffers: a dispose scope around whoever built it must not free them.
        this.weights = weights.DetachFromDisposeScope();
        this.biases = biases.DetachFromDisposeScope();
        this.coefficients = coefficients.DetachFromDisposeScope();
        this.offset = offset.DetachFromDisposeScope();
        this.activation = activation;
        this.momentumSymmetric = momentumSymmetric;
        RegisterComponents();
    }

    /// <summary>Neurons M.</summary>
    public int Width => (int)weights.shape[0];

    /// <summary>The hidden layer's weights wₖ as rows [M, D] (the live buffer: read, do not modify).</summary>
    public Tensor Weights => weights;

    /// <summary>The hidden layer's biases bₖ [M] (the live buffer).</summary>
    public Tensor Biases => biases;

    /// <summary>The output coefficients cₖ [M] (the live buffer).</summary>
    public Tensor Coefficients => coefficients;

    /// <summary>The output offset c₀, [1] (the live buffer).</summary>
    public Tensor Offset => offset;

    /// <summary>The dtype of the parameters, in which every method computes.</summary>
    public ScalarType ComputeType => weights.dtype;

    /// <summary>F at each state [N].</summary>
    public Tensor Value(Tensor x)
    {
        using var scope = NewDisposeScope();
        return RowDot(Features(x), coefficients).Plus(offset).MoveToOuterDisposeScope();
    }

    /// <summary>∇F at each state [N, D].</summary>
    public Tensor Gradient(Tensor x)
    {
        using var scope = NewDisposeScope();
        Tensor? sum = null;
        foreach (var (slopes, rows) in GradientTerms(x))
        {
            var term = (slopes * coefficients).matmul(rows);
            sum = sum is null ? term : sum.Plus(term);
        }
        return sum!.MoveToOuterDisposeScope();
    }

    /// <summary>ΔF = tr ∇²F at each state [N].</summary>
    public Tensor Laplacian(Tensor x)
    {
        using var scope = NewDisposeScope();
        // Δ(F∘R) = (ΔF)∘R for the orthogonal R, so the symmetrised Laplacian is the mean over x and Rx.
        var squaredNorms = weights.Squared().sum([1]);
        var weighted = coefficients * squaredNorms;
        var at = (Tensor z) => RowDot(SampledActivation.Curvature(activation, PreActivation(z, weights)), weighted);
        var laplacian = momentumSymmetric ? at(x).Plus(at(FlipMomenta(x))).Times(0.5) : at(x);
        return laplacian.MoveToOuterDisposeScope();
    }

    /// <summary>The hidden layer's outputs σ(Wx + b) [N, M] (symmetrised: their mean over x and Rx), so F = features·c + c₀.</summary>
    internal Tensor Features(Tensor x)
    {
        using var scope = NewDisposeScope();
        var features = SampledActivation.Value(activation, PreActivation(x, weights));
        if (momentumSymmetric)
            features = features.Plus(SampledActivation.Value(activation, PreActivation(FlipMomenta(x), weights))).Times(0.5);
        return features.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// ∇F as Σ_t (S_t ⊙ c)·G_t over one or two terms: slopes S_t [N, M] (<see cref="GradientSlopes"/>) and gradient
    /// rows G_t [M, D] (<see cref="GradientRows"/>). Plain, one term (σ′(Wx + b), W); momentum-symmetric,
    /// ½(σ′(Wx + b), W) and ½(σ′(WRx + b), WR). Linear in c, which is what the least-squares fit needs.
    /// </summary>
    internal IReadOnlyList<(Tensor Slopes, Tensor Rows)> GradientTerms(Tensor x) => [.. GradientSlopes(x).Zip(GradientRows())];

    /// <summary>The terms' gradient rows G_t [M, D], independent of the states: W, and WR when momentum-symmetric.</summary>
    internal IReadOnlyList<Tensor> GradientRows() => momentumSymmetric ? [weights, FlipMomenta(weights)] : [weights];

    /// <summary>The terms' slopes S_t [N, M] at states x.</summary>
    internal IReadOnlyList<Tensor> GradientSlopes(Tensor x)
    {
        if (!momentumSymmetric)
            return [SampledActivation.Slope(activation, PreActivation(x, weights))];
        using var scope = NewDisposeScope();
        var flipped = FlipMomenta(weights); // rows wₖR: wₖ·(Rx) = (wₖR)·x
        var direct = SampledActivation.Slope(activation, PreActivation(x, weights)).Times(0.5);
        var mirrored = SampledActivation.Slope(activation, PreActivation(x, flipped)).Times(0.5);
        return [direct.MoveToOuterDisposeScope(), mirrored.MoveToOuterDisposeScope()];
    }

    /// <summary>Sets the solved coefficients c [M] and offset c₀ in place.</summary>
    internal void SetCoefficients(Tensor solved, double constant)
    {
        using var _ = no_grad();
        coefficients.copy_(solved);
        using var c0 = tensor(new[] { constant }, coefficients.dtype);
        offset.copy_(c0);
    }

    Tensor PreActivation(Tensor x, Tensor rows) => x.matmul(rows.t()).Plus(biases);

    /// <summary>
    /// Each row of <paramref name="rows"/> [N, M] dotted with <paramref name="vector"/> [M]: [N], as a row sum rather
    /// than a matrix-vector product. MKL's dgemv rounds a row differently with where it falls in its blocks and with
    /// the operands' memory alignment, so the same model at the same state gave values that differed in the last digit
    /// from run to run; ATen's row sum reduces every row alike.
    /// </summary>
    static Tensor RowDot(Tensor rows, Tensor vector) => (rows * vector).sum([1]);

    /// <summary>(q, p) → (q, −p) on the last axis of [N, D] (states, or weight rows).</summary>
    internal static Tensor FlipMomenta(Tensor x)
    {
        long n = x.shape[1] / 2;
        return cat([x.narrow(1, 0, n), x.narrow(1, n, n).neg()], 1);
    }
}

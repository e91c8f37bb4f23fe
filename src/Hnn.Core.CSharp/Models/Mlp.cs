using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hnn.Models;

/// <summary>How an <see cref="Mlp"/>'s weights are drawn (from torch's global generator).</summary>
public enum MlpInit
{
    /// <summary>The HNN paper's: every weight matrix orthogonal (gain 1), biases at torch's default init.</summary>
    Orthogonal,

    /// <summary>
    /// Cranmer et al. 2020's for Lagrangian networks (MilesCranmer/lagrangian_nns, <c>custom_init</c>, from their
    /// search for the scales that keep a softplus network's second derivatives of order one): each weight matrix
    /// normal with standard deviation c/√m, m the larger of its two sizes, c = 2.2 for the first layer, 0.58 for the
    /// second and m for the last (so √h there); biases zero. L starts two orders of magnitude larger than under
    /// <see cref="Orthogonal"/>, and so does its velocity Hessian, which the Euler–Lagrange solve inverts.
    /// </summary>
    Lagrangian,
}

/// <summary>
/// The paper's multilayer perceptron: Linear(in, h) → σ → Linear(h, h) → σ → Linear(h, out, no bias), its weights
/// drawn as <see cref="MlpInit"/> says (the paper's orthogonal init unless asked otherwise).
/// </summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear linear1;
    private readonly Linear linear2;
    private readonly Linear linear3;
    private readonly Nonlinearity nonlinearity;

    /// <summary>Creates the network; weights are drawn from torch's global generator, as <paramref name="init"/> says.</summary>
    public Mlp(int inputDim, int hiddenDim, int outputDim, Nonlinearity nonlinearity, MlpInit init = MlpInit.Orthogonal)
        : base(nameof(Mlp))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputDim, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenDim, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputDim, 1);
        linear1 = nn.Linear(inputDim, hiddenDim);
        linear2 = nn.Linear(hiddenDim, hiddenDim);
        linear3 = nn.Linear(hiddenDim, outputDim, hasBias: false);
        this.nonlinearity = nonlinearity;
        using (no_grad())
        {
            switch (init)
            {
                case MlpInit.Orthogonal:
                    foreach (var layer in new[] { linear1, linear2, linear3 })
                        nn.init.orthogonal_(layer.weight!);
                    break;
                case MlpInit.Lagrangian:
                    InitNormal(linear1, m => 2.2 / Math.Sqrt(m));
                    InitNormal(linear2, m => 0.58 / Math.Sqrt(m));
                    InitNormal(linear3, m => m / Math.Sqrt(m)); // their n/√n as written: √m can differ in the last bit
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(init), init, "unknown initialisation");
            }
        }
        RegisterComponents();
    }

    /// <summary>Weights normal with standard deviation <paramref name="std"/>(m), m the larger of the matrix's sizes; bias zero.</summary>
    static void InitNormal(Linear layer, Func<double, double> std)
    {
        var weight = layer.weight!;
        nn.init.normal_(weight, 0, std(Math.Max(weight.shape[0], weight.shape[1])));
        if (layer.bias is { } bias)
            nn.init.zeros_(bias);
    }

    /// <summary>
    /// ∂y_c/∂x [N, in] of output column <paramref name="column"/>, by the chain rule written out as tensor ops
    /// (W1ᵀ(σ'(a1) ⊙ W2ᵀ(σ'(a2) ⊙ w3_c))), so autograd can differentiate it once more with respect to the weights.
    /// Cheaper than <c>autograd.grad</c> with a kept graph, which records a double-backward graph instead.
    /// </summary>
    public Tensor InputGradient(Tensor x, int column)
    {
        using var row = linear3.weight![column];
        return ChainRule(x, row);
    }

    /// <summary>
    /// ∂y/∂x [N, out, in] of every output column at once: one forward pass shared by all columns, then the chain
    /// rule of <see cref="InputGradient"/> batched over the columns (for two outputs, three weight-sized products
    /// instead of four).
    /// </summary>
    public Tensor InputGradients(Tensor x) => ChainRule(x, linear3.weight!);

    /// <summary>The chain rule for output-layer rows w [h] (one column: result [N, in]) or [k, h] (k columns: [N, k, in]).</summary>
    Tensor ChainRule(Tensor x, Tensor outputRows)
    {
        using var scope = NewDisposeScope();
        var a1 = linear1.forward(x);
        var h1 = nonlinearity.Apply(a1);
        var a2 = linear2.forward(h1);
        var h2 = nonlinearity.Apply(a2);
        var s2 = nonlinearity.Derivative(a2, h2);
        var s1 = nonlinearity.Derivative(a1, h1);
        if (outputRows.dim() == 2)
        {
            s2 = s2.unsqueeze(1);
            s1 = s1.unsqueeze(1);
        }
        var g2 = s2 * outputRows;
        var g1 = s1 * g2.matmul(linear2.weight!);
        // g1·W1 as g1·(W1ᵀ)ᵀ with W1ᵀ copied contiguous (in×h, a few hundred numbers): MKL multiplies [N, h] by a
        // contiguous [h, in] several times slower than by the transpose of a contiguous [in, h] when `in` is small,
        // and the backward pass then needs [in, N]·[N, h] rather than the equally slow [h, N]·[N, in].
        return nn.functional.linear(g1, linear1.weight!.t().contiguous()).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var h1 = nonlinearity.Apply(linear1.forward(x));
        using var h2 = nonlinearity.Apply(linear2.forward(h1));
        return linear3.forward(h2);
    }
}

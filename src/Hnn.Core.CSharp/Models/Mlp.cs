using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hnn.Models;

/// <summary>
/// The paper's multilayer perceptron: Linear(in, h) → σ → Linear(h, h) → σ → Linear(h, out, no bias),
/// every weight matrix orthogonally initialised, biases left at their default init.
/// </summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear linear1;
    private readonly Linear linear2;
    private readonly Linear linear3;
    private readonly Nonlinearity nonlinearity;

    /// <summary>Creates the network; weights are drawn from torch's global generator.</summary>
    public Mlp(int inputDim, int hiddenDim, int outputDim, Nonlinearity nonlinearity)
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
            foreach (var layer in new[] { linear1, linear2, linear3 })
                nn.init.orthogonal_(layer.weight!);
        }
        RegisterComponents();
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

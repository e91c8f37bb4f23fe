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
    public Mlp(int inputDim, int hiddenDim, int outputDim, Nonlinearity nonlinearity) : base(nameof(Mlp))
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
        using var scope = NewDisposeScope();
        var a1 = linear1.forward(x);
        var h1 = nonlinearity.Apply(a1);
        var a2 = linear2.forward(h1);
        var h2 = nonlinearity.Apply(a2);
        var g2 = nonlinearity.Derivative(a2, h2) * linear3.weight![column];
        var g1 = nonlinearity.Derivative(a1, h1) * g2.matmul(linear2.weight!);
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

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
        return g1.matmul(linear1.weight!).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// ∂y/∂x [N, out, in] of every output column at once: one forward pass shared by all columns, then the chain
    /// rule of <see cref="InputGradient"/> batched over the columns (for two outputs, three weight-sized products
    /// instead of four).
    /// </summary>
    public Tensor InputGradients(Tensor x)
    {
        using var scope = NewDisposeScope();
        var a1 = linear1.forward(x);
        var h1 = nonlinearity.Apply(a1);
        var a2 = linear2.forward(h1);
        var h2 = nonlinearity.Apply(a2);
        var g2 = nonlinearity.Derivative(a2, h2).unsqueeze(1) * linear3.weight!.unsqueeze(0);
        var g1 = nonlinearity.Derivative(a1, h1).unsqueeze(1) * g2.matmul(linear2.weight!);
        return g1.matmul(linear1.weight!).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var h1 = nonlinearity.Apply(linear1.forward(x));
        using var h2 = nonlinearity.Apply(linear2.forward(h1));
        return linear3.forward(h2);
    }
}

using Hnn.Models;
using Hnn.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hnn.Pixels;

/// <summary>
/// The reference's MLPAutoencoder: encoder in → h → h → h → latent with residual connections on the two inner
/// hidden layers (h₂ = h₁ + σ(W₂h₁), h₃ = h₂ + σ(W₃h₂)), and the mirror decoder latent → h → h → h → in. Both end
/// with a plain linear layer (the reference has no output sigmoid, so decoded frames may leave [0, 1] slightly).
/// Every weight matrix is orthogonally initialised; biases keep the default init.
/// </summary>
public sealed class MlpAutoencoder : nn.Module<Tensor, Tensor>
{
    private readonly Linear encoder1;
    private readonly Linear encoder2;
    private readonly Linear encoder3;
    private readonly Linear encoder4;
    private readonly Linear decoder1;
    private readonly Linear decoder2;
    private readonly Linear decoder3;
    private readonly Linear decoder4;
    private readonly Nonlinearity nonlinearity;

    /// <summary>Creates the network (paper: 1568 → 200 → 200 → 200 → 2, relu); weights come from torch's global generator.</summary>
    public MlpAutoencoder(int inputDim, int hiddenDim, int latentDim, Nonlinearity nonlinearity = Nonlinearity.Relu)
        : base(nameof(MlpAutoencoder))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputDim, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenDim, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(latentDim, 1);
        InputDim = inputDim;
        LatentDim = latentDim;
        encoder1 = nn.Linear(inputDim, hiddenDim);
        encoder2 = nn.Linear(hiddenDim, hiddenDim);
        encoder3 = nn.Linear(hiddenDim, hiddenDim);
        encoder4 = nn.Linear(hiddenDim, latentDim);
        decoder1 = nn.Linear(latentDim, hiddenDim);
        decoder2 = nn.Linear(hiddenDim, hiddenDim);
        decoder3 = nn.Linear(hiddenDim, hiddenDim);
        decoder4 = nn.Linear(hiddenDim, inputDim);
        this.nonlinearity = nonlinearity;
        using (no_grad())
        {
            foreach (var layer in new[] { encoder1, encoder2, encoder3, encoder4, decoder1, decoder2, decoder3, decoder4 })
                nn.init.orthogonal_(layer.weight!);
        }
        RegisterComponents();
    }

    /// <summary>Length of an input (and of a reconstruction).</summary>
    public int InputDim { get; }

    /// <summary>Length of a latent code.</summary>
    public int LatentDim { get; }

    /// <summary>Latent codes [N, latent] of inputs [N, in].</summary>
    public Tensor Encode(Tensor x) => Residual(encoder1, encoder2, encoder3, encoder4, x);

    /// <summary>Reconstructions [N, in] of latent codes [N, latent].</summary>
    public Tensor Decode(Tensor z) => Residual(decoder1, decoder2, decoder3, decoder4, z);

    /// <summary>The reconstruction Decode(Encode(x)).</summary>
    public override Tensor forward(Tensor x)
    {
        using var z = Encode(x);
        return Decode(z);
    }

    private Tensor Residual(Linear first, Linear second, Linear third, Linear output, Tensor x)
    {
        using var scope = NewDisposeScope();
        var h1 = nonlinearity.Apply(first.forward(x));
        var h2 = h1.Plus(nonlinearity.Apply(second.forward(h1)));
        var h3 = h2.Plus(nonlinearity.Apply(third.forward(h2)));
        return output.forward(h3).MoveToOuterDisposeScope();
    }
}

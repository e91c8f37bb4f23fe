using Hnn.Models;
using Hnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Hnn.Pixels;

/// <summary>
/// The paper's pixel model (the reference's PixelHNN): an <see cref="MlpAutoencoder"/> from frame pairs to a 2-d
/// latent z = (w, ẇ) and a learned vector field f on z, the change of z over one frame. With an HNN field
/// (<see cref="HamiltonianNet"/>, tanh MLP) it is the pixel HNN; with a <see cref="BaselineNet"/> field it is the
/// paper's pixel baseline.
/// </summary>
public sealed class PixelHnn : nn.Module<Tensor, Tensor>
{
    private readonly MlpAutoencoder autoencoder;
    private readonly DynamicsModel dynamics;

    /// <summary>Creates the model; weights come from torch's global generator (see <see cref="Create"/> for a seeded one).</summary>
    public PixelHnn(ModelKind kind, int pairDimension = 2 * 28 * 28, int hiddenDim = 200, int latentDim = 2)
        : base(nameof(PixelHnn))
    {
        autoencoder = new MlpAutoencoder(pairDimension, hiddenDim, latentDim, Nonlinearity.Relu);
        dynamics = DynamicsModel.Create(new ModelSettings(kind, latentDim, hiddenDim, Nonlinearity.Tanh));
        RegisterComponents();
    }

    /// <summary>A model whose initial weights are drawn after seeding torch's global generator with <paramref name="seed"/>.</summary>
    public static PixelHnn Create(ModelKind kind, int seed, int pairDimension = 2 * 28 * 28, int hiddenDim = 200, int latentDim = 2)
    {
        random.manual_seed(seed);
        return new PixelHnn(kind, pairDimension, hiddenDim, latentDim);
    }

    /// <summary>Baseline or HNN: the kind of the latent field.</summary>
    public ModelKind Kind => dynamics.Settings.Kind;

    /// <summary>The autoencoder.</summary>
    public MlpAutoencoder Autoencoder => autoencoder;

    /// <summary>The latent field f.</summary>
    public DynamicsModel Dynamics => dynamics;

    /// <summary>Latent codes [N, 2] of frame pairs [N, 2·Side²].</summary>
    public Tensor Encode(Tensor x) => autoencoder.Encode(x);

    /// <summary>Frame pairs [N, 2·Side²] of latent codes [N, 2].</summary>
    public Tensor Decode(Tensor z) => autoencoder.Decode(z);

    /// <summary>The learned field f(z) [N, 2]; with <paramref name="createGraph"/> differentiable with respect to the weights.</summary>
    public Tensor LatentDerivative(Tensor z, bool createGraph) => dynamics.TimeDerivative(z, createGraph);

    /// <summary>The predicted next pair: Decode(z + f(z)) with z = Encode(x), as the reference's forward.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var z = Encode(x);
        var next = z.Plus(LatentDerivative(z, createGraph: training));
        return Decode(next).MoveToOuterDisposeScope();
    }
}

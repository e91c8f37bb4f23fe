using Hnn.Tensors;
using static TorchSharp.torch;

namespace Hnn.Pixels;

/// <summary>
/// The reference's pixel-HNN loss, per sample, for pairs x and next pairs x' (one frame later), z = E(x), z' = E(x'):
/// autoencoder mean((x − D(z))²) + canonical (ẇ − (w' − w))² + 0.1 · latent-dynamics mean((z' − (z + f(z)))²),
/// where z = (w, ẇ). The canonical term asks the latent velocity to equal the change of the latent position.
/// </summary>
public static class PixelLoss
{
    /// <summary>Weight of the latent-dynamics term (paper: 0.1).</summary>
    public const double LatentWeight = 0.1;

    /// <summary>The three terms per sample, each [N]; their weighted sum is <see cref="Total"/>.</summary>
    public static (Tensor Autoencoder, Tensor Canonical, Tensor Latent) Terms(PixelHnn model, Tensor x, Tensor next, bool createGraph)
    {
        using var scope = NewDisposeScope();
        var z = model.Encode(x);
        var zNext = model.Encode(next);
        var autoencoder = (x - model.Decode(z)).Squared().mean([1]);
        var predicted = z.Plus(model.LatentDerivative(z, createGraph));
        var latent = (zNext - predicted).Squared().mean([1]);
        var w = z.select(1, 0);
        var velocity = z.select(1, 1);
        var canonical = (velocity - (zNext.select(1, 0) - w)).Squared();
        return (autoencoder.MoveToOuterDisposeScope(), canonical.MoveToOuterDisposeScope(), latent.MoveToOuterDisposeScope());
    }

    /// <summary>The loss per sample [N]: autoencoder + canonical + <see cref="LatentWeight"/>·latent.</summary>
    public static Tensor Total(PixelHnn model, Tensor x, Tensor next, bool createGraph)
    {
        using var scope = NewDisposeScope();
        var (autoencoder, canonical, latent) = Terms(model, x, next, createGraph);
        return autoencoder.Plus(canonical).Plus(latent.Times(LatentWeight)).MoveToOuterDisposeScope();
    }
}

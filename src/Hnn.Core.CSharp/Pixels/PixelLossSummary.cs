using Hnn.Training;

namespace Hnn.Pixels;

/// <summary>The pixel loss of a model on a whole split.</summary>
/// <param name="Total">The paper's reported loss: the per-sample combined loss, mean ± std/√N.</param>
/// <param name="Autoencoder">Mean of the autoencoder term.</param>
/// <param name="Canonical">Mean of the canonical-coordinate term.</param>
/// <param name="Latent">Mean of the latent-dynamics term (before its weight 0.1).</param>
public sealed record PixelLossSummary(LossEstimate Total, double Autoencoder, double Canonical, double Latent);

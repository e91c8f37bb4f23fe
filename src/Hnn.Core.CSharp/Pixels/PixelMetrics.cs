using Hnn.Training;

namespace Hnn.Pixels;

/// <summary>What the latent-rollout protocol (<see cref="PixelEvaluation.Evaluate"/>) measured for one pixel model.</summary>
/// <param name="EnergyMse">Mean over test trials and times of (E(true state) − E(map(z(t))))², E the pendulum's true energy
/// θ̇²/6 + 5(1 − cos θ) and map the fitted <see cref="CanonicalMap"/>; ± std of 5 contiguous part means / √5.</param>
/// <param name="EnergyDrift">Per trial |E(map(z(T))) − E(map(z(0)))| divided by the mean true energy of the test starts; mean ± std/√K.</param>
/// <param name="LearnedEnergyDrift">HNN only: per trial |H(z(T)) − H(z(0))| of the learned Hamiltonian divided by the
/// std of H over the starts; mean ± std/√K. Null for the baseline, which learns no conserved quantity.</param>
/// <param name="RolloutMse">Pixel MSE of the decoded pair against the true pair, per trial and time; mean ± as EnergyMse.</param>
/// <param name="MapRSquared">R² of the canonical map on the test samples, for θ and for p.</param>
/// <param name="Map">The canonical map, fitted on the train samples.</param>
/// <param name="Path">The latent paths and decoded pairs of the test trials.</param>
public sealed record PixelMetrics(
    LossEstimate EnergyMse,
    LossEstimate EnergyDrift,
    LossEstimate? LearnedEnergyDrift,
    LossEstimate RolloutMse,
    (double Theta, double P) MapRSquared,
    CanonicalMap Map,
    LatentPath Path
);

namespace Hnn.Data;

/// <summary>
/// Supervised phase-space data: states x and their time derivatives dx/dt, split into train and test.
/// Generated and stored in float64; converted to float32 only when fed to a network.
/// </summary>
/// <param name="Name">The task or recipe it comes from.</param>
/// <param name="TrainX">Training states [N, D].</param>
/// <param name="TrainDx">Training targets dx/dt [N, D].</param>
/// <param name="TestX">Test states.</param>
/// <param name="TestDx">Test targets.</param>
/// <param name="TrainTimeline">Times and trajectory ids of the training rows, where known (needed for integrator-supervised training).</param>
/// <param name="TestTimeline">Times and trajectory ids of the test rows, where known.</param>
public sealed record Dataset(
    string Name,
    StateMatrix TrainX,
    StateMatrix TrainDx,
    StateMatrix TestX,
    StateMatrix TestDx,
    Timeline? TrainTimeline = null,
    Timeline? TestTimeline = null
)
{
    /// <summary>The state dimension D.</summary>
    public int Dimension => TrainX.Columns;
}

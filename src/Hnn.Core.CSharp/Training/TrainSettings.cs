namespace Hnn.Training;

/// <summary>How to train: the paper's recipe is Adam, learning rate 1e-3, seed 0.</summary>
/// <param name="Steps">Optimiser steps after step 0 (the loop runs steps 0..Steps, like the reference).</param>
/// <param name="LearningRate">Adam learning rate.</param>
/// <param name="WeightDecay">Adam weight decay (L2 added to the gradient, as torch's Adam).</param>
/// <param name="BatchSize">Minibatch size drawn at random each step, or null for full batch.</param>
/// <param name="Seed">Seeds torch's generator (weights and minibatches).</param>
/// <param name="EvaluateTestEachStep">Evaluate the test loss at every step (logging, as the reference does).</param>
/// <param name="Threads">Intra-op threads for torch, or null for all cores.</param>
public sealed record TrainSettings(
    int Steps = 2000,
    double LearningRate = 1e-3,
    double WeightDecay = 1e-4,
    int? BatchSize = null,
    int Seed = 0,
    bool EvaluateTestEachStep = true,
    int? Threads = null)
{
    /// <summary>Checks every value; the message names the bad one.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public TrainSettings Validate()
    {
        if (Steps < 0) throw new ArgumentException($"steps must be zero or positive, got {Steps}");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new ArgumentException($"learning rate must be positive and finite, got {LearningRate}");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay)) throw new ArgumentException($"weight decay must be zero or positive, got {WeightDecay}");
        if (BatchSize is < 1) throw new ArgumentException($"batch size must be positive, got {BatchSize}");
        if (Threads is < 1) throw new ArgumentException($"thread count must be positive, got {Threads}");
        return this;
    }
}

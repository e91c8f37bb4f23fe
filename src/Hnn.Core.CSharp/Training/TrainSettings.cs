namespace Hnn.Training;

/// <summary>What the loss compares.</summary>
public enum Supervision
{
    /// <summary>The predicted dx/dt against the target dx/dt (the paper's default).</summary>
    Derivative,

    /// <summary>
    /// The next observed state against one step (or <see cref="TrainSettings.Substeps"/> steps) of an integrator on the
    /// learned field from the current one — the correct form of the reference's <c>use_rk4</c> option.
    /// </summary>
    Integrator,
}

/// <summary>How to train: the paper's recipe is Adam, learning rate 1e-3, seed 0.</summary>
/// <param name="Steps">Optimiser steps after step 0 (the loop runs steps 0..Steps, like the reference).</param>
/// <param name="LearningRate">Adam learning rate.</param>
/// <param name="WeightDecay">Adam weight decay (L2 added to the gradient, as torch's Adam).</param>
/// <param name="BatchSize">Minibatch size drawn at random each step, or null for full batch.</param>
/// <param name="Seed">Seeds torch's generator (weights and minibatches).</param>
/// <param name="TestEvery">Evaluate the test loss every this many steps (1: every step, as the reference does; 0: never). Logging only: it does not change training.</param>
/// <param name="Threads">Intra-op threads for torch, or null to keep torch's current setting (by default, all cores).</param>
/// <param name="Supervision">Derivative- or integrator-supervised loss.</param>
/// <param name="Integrator">For integrator supervision: "rk4", "leapfrog" or "yoshida4".</param>
/// <param name="Substeps">For integrator supervision: integrator steps per observed interval.</param>
/// <param name="ClipGradNorm">Rescale the gradients so their global L2 norm is at most this (torch's clip_grad_norm_), or null for no clipping.</param>
/// <param name="LearningRateDecay">
/// d ≥ 1: the learning rate decays exponentially from <paramref name="LearningRate"/> at step 0 to
/// <paramref name="LearningRate"/>/d at the last step (<see cref="LearningRateAt"/>), as Jin et al.'s SympNet learner's
/// <c>lr_decay</c>; 1 (the default, the paper's) keeps it constant.
/// </param>
public sealed record TrainSettings(
    int Steps = 2000,
    double LearningRate = 1e-3,
    double WeightDecay = 1e-4,
    int? BatchSize = null,
    int Seed = 0,
    int TestEvery = 1,
    int? Threads = null,
    Supervision Supervision = Supervision.Derivative,
    string Integrator = "rk4",
    int Substeps = 1,
    double? ClipGradNorm = null,
    double LearningRateDecay = 1
)
{
    /// <summary>The learning rate of step <paramref name="step"/>: <see cref="LearningRate"/>·d^(−step/<see cref="Steps"/>), d = <see cref="LearningRateDecay"/>.</summary>
    public double LearningRateAt(int step) =>
        LearningRateDecay == 1 || Steps == 0 ? LearningRate : LearningRate * Math.Pow(LearningRateDecay, -(double)step / Steps);

    /// <summary>
    /// These settings with each value given replaced and every other kept (C#'s <c>with</c>, for callers that cannot
    /// write it): how a model family's recipe departs from its task's, and a run's options from that recipe. A null
    /// keeps the value, so a batch size cannot be overridden to full batch here.
    /// </summary>
    public TrainSettings Overriding(
        int? steps = null,
        double? learningRate = null,
        double? weightDecay = null,
        int? batchSize = null,
        int? seed = null,
        int? testEvery = null,
        int? threads = null,
        Supervision? supervision = null,
        string? integrator = null,
        int? substeps = null,
        double? clipGradNorm = null,
        double? learningRateDecay = null
    ) =>
        this with
        {
            Steps = steps ?? Steps,
            LearningRate = learningRate ?? LearningRate,
            WeightDecay = weightDecay ?? WeightDecay,
            BatchSize = batchSize ?? BatchSize,
            Seed = seed ?? Seed,
            TestEvery = testEvery ?? TestEvery,
            Threads = threads ?? Threads,
            Supervision = supervision ?? Supervision,
            Integrator = integrator ?? Integrator,
            Substeps = substeps ?? Substeps,
            ClipGradNorm = clipGradNorm ?? ClipGradNorm,
            LearningRateDecay = learningRateDecay ?? LearningRateDecay,
        };

    /// <summary>
    /// Whether training on <paramref name="examples"/> examples draws minibatches: a batch size below their number. A
    /// batch at least as large as the set (or none) trains on the whole set at each step. The trainer's rule, and the
    /// one a run's recipe takes its regime from.
    /// </summary>
    public bool DrawsMinibatches(long examples) => BatchSize is int batch && batch < examples;

    /// <summary>Checks every value; the message names the bad one.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public TrainSettings Validate()
    {
        if (Steps < 0)
            throw new ArgumentException($"steps must be zero or positive, got {Steps}");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
            throw new ArgumentException($"learning rate must be positive and finite, got {LearningRate}");
        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay))
            throw new ArgumentException($"weight decay must be zero or positive, got {WeightDecay}");
        if (BatchSize is < 1)
            throw new ArgumentException($"batch size must be positive, got {BatchSize}");
        if (Threads is < 1)
            throw new ArgumentException($"thread count must be positive, got {Threads}");
        if (TestEvery < 0)
            throw new ArgumentException($"test interval must be zero or positive, got {TestEvery}");
        if (ClipGradNorm is double c && !(c > 0 && double.IsFinite(c)))
            throw new ArgumentException($"gradient clipping norm must be positive and finite, got {c}");
        if (!(LearningRateDecay >= 1) || double.IsInfinity(LearningRateDecay))
            throw new ArgumentException($"learning-rate decay must be 1 or more and finite, got {LearningRateDecay}");
        if (Substeps < 1)
            throw new ArgumentException($"substeps must be positive, got {Substeps}");
        if (!Enum.IsDefined(Supervision))
            throw new ArgumentException($"unknown supervision {Supervision}");
        if (Supervision == Supervision.Integrator)
            SupervisedStep.Parse(Integrator);
        return this;
    }
}

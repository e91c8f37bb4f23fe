namespace Hnn.Training;

/// <summary>
/// How a training run is carried out besides its settings: where and how often it checkpoints, whether it continues
/// from its checkpoint, a token that stops it cleanly between steps, and the optimiser's memory layout.
/// </summary>
/// <param name="CheckpointPath">The run's checkpoint file, or null for none.</param>
/// <param name="CheckpointEvery">Checkpoint every this many steps (0: only at the end and when stopped).</param>
/// <param name="Resume">Continue from <paramref name="CheckpointPath"/> if it exists (a missing file starts afresh).</param>
/// <param name="Task">Task key stored in the checkpoint and checked on resume.</param>
/// <param name="Cancellation">When cancelled, the run checkpoints after the current step and throws <see cref="TrainingInterruptedException"/>.</param>
/// <param name="FlatParameters">
/// Adam over one flat buffer of all parameters (<see cref="FlatAdam"/>, the default) or parameter by parameter
/// (<see cref="AdamOptimizer"/>, TorchSharp's layout, kept so <c>hnn bench</c> can measure the difference). The two
/// agree to float32 round-off and read each other's checkpoints.
/// </param>
public sealed record TrainingControl(
    string? CheckpointPath = null,
    int CheckpointEvery = 0,
    bool Resume = false,
    string Task = "",
    CancellationToken Cancellation = default,
    bool FlatParameters = true
)
{
    /// <summary>No checkpoints, no resume, never cancelled: plain <see cref="Trainer.Train(Hnn.Models.DynamicsModel, Hnn.Data.Dataset, TrainSettings, IProgress{TrainingProgress}?)"/>.</summary>
    public static readonly TrainingControl None = new();

    /// <summary>Checks the values; the message names the bad one.</summary>
    /// <exception cref="ArgumentException">A value is out of range or inconsistent.</exception>
    public TrainingControl Validate()
    {
        if (CheckpointEvery < 0)
            throw new ArgumentException($"checkpoint interval must be zero or positive, got {CheckpointEvery}");
        if (Resume && CheckpointPath is null)
            throw new ArgumentException("resuming needs a checkpoint path");
        if (CheckpointEvery > 0 && CheckpointPath is null)
            throw new ArgumentException("a checkpoint interval needs a checkpoint path");
        return this;
    }
}

/// <summary>The loss or the gradients became NaN or infinite; the run stopped and its last good checkpoint was kept.</summary>
public sealed class TrainingDivergedException(int step, string quantity, double value, string? checkpoint, int? checkpointStep)
    : Exception(
        $"training diverged at step {step}: the {quantity} is {value}; "
            + (checkpoint is null ? "no checkpoint was written" : $"last good checkpoint '{checkpoint}' (step {checkpointStep}) kept")
    )
{
    /// <summary>The step whose loss or gradients were not finite.</summary>
    public int Step { get; } = step;

    /// <summary>"train loss" or "gradient".</summary>
    public string Quantity { get; } = quantity;

    /// <summary>The last good checkpoint, or null.</summary>
    public string? Checkpoint { get; } = checkpoint;
}

/// <summary>The run was stopped through its cancellation token, after checkpointing its last finished step.</summary>
public sealed class TrainingInterruptedException(int lastStep, string? checkpoint)
    : OperationCanceledException(
        lastStep < 0
            ? "training stopped before its first step"
            : $"training stopped after step {lastStep}"
                + (checkpoint is null ? " (no checkpoint path set)" : $"; checkpoint '{checkpoint}' written")
    )
{
    /// <summary>The last finished step (−1 if none).</summary>
    public int LastStep { get; } = lastStep;

    /// <summary>The checkpoint written, or null.</summary>
    public string? Checkpoint { get; } = checkpoint;
}

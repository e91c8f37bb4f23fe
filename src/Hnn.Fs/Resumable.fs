/// Runs that survive interruption: checkpointed training that resumes bit-identically, stops cleanly
/// when cancelled and refuses to continue a diverged state; the task's Adam recipe can be overridden.
/// The same pipeline as `Experiment.runTask`, with a `Safety` record beside its `Options`.
module Hnn.Resumable

open System
open System.IO
open System.Threading
open Hnn.Models
open Hnn.Tasks
open Hnn.Training

/// How a run is protected, and overrides of the task's training recipe.
type Safety =
    { /// Checkpoint every this many steps (0: only at the end and when stopped).
      CheckpointEvery: int
      /// Continue each model from its checkpoint in OutDir/checkpoints, if there is one.
      Resume: bool
      /// Overrides the task's Adam learning rate.
      LearningRate: float option
      /// Overrides the task's minibatch size.
      BatchSize: int option
      /// Overrides the task's Adam weight decay.
      WeightDecay: float option
      /// Clips the gradients' global norm (None: off).
      ClipGradNorm: float option }

/// Checkpoints every 100 steps, no resume, never cancelled, the task's recipe unchanged.
let defaults =
    { CheckpointEvery = 100
      Resume = false
      LearningRate = None
      BatchSize = None
      WeightDecay = None
      ClipGradNorm = None }

/// The folder of a run's checkpoints.
let checkpointFolder (options: Experiment.Options) = Path.Combine(options.OutDir, "checkpoints")

/// `OutDir/checkpoints/<task>-<model>.ckpt`.
let checkpointPath (options: Experiment.Options) (task: Task) (kind: ModelKind) =
    Path.Combine(checkpointFolder options, sprintf "%s-%s.ckpt" task.Key (modelKey kind))

/// The task's training settings under the options, with this safety record's overrides.
let settingsFor (options: Experiment.Options) (safety: Safety) (task: Task) =
    let s = Experiment.settingsFor options task
    TrainSettings(
        Steps = s.Steps,
        LearningRate = defaultArg safety.LearningRate s.LearningRate,
        WeightDecay = defaultArg safety.WeightDecay s.WeightDecay,
        BatchSize = (match safety.BatchSize with Some b -> Nullable b | None -> s.BatchSize),
        Seed = s.Seed,
        TestEvery = s.TestEvery,
        Threads = s.Threads,
        Supervision = s.Supervision,
        Integrator = s.Integrator,
        Substeps = s.Substeps,
        ClipGradNorm = Option.toNullable safety.ClipGradNorm)
        .Validate()

/// Trains one model of `kind` on `data`, checkpointing to `checkpointPath` and resuming from it if asked.
let train (options: Experiment.Options) (safety: Safety) (task: Task) (data: Data.Dataset) (kind: ModelKind) : Experiment.Trained =
    Torch.init ()
    let settings = settingsFor options safety task
    // The thread count applies from the model's first weight on, not only inside the training loop.
    options.Threads |> Option.iter TorchSharp.torch.set_num_threads
    let path = checkpointPath options task kind
    if safety.Resume && File.Exists path then options.Log(sprintf "  %-13s %-8s resuming from %s" task.Key (modelKey kind) path)
    let model = DynamicsModel.Create(ModelSettings(kind, task.Dimension, MomentumSymmetric = options.MomentumSymmetric), options.Seed)
    let control = TrainingControl(path, safety.CheckpointEvery, safety.Resume, task.Key, options.Cancellation)
    let result = Trainer.Train(model, data, settings, Experiment.progressLog options task kind, control)
    { Task = task; Kind = kind; Model = model; Settings = settings; Result = result }

/// As `Experiment.runTask`, through `train` above; a cancellation between models or before the evaluation stops the run.
let runTask (options: Experiment.Options) (safety: Safety) (task: Task) (kinds: ModelKind list) : Experiment.Evaluated list =
    Torch.init ()
    let data = task.Data options.Seed
    Interruption.pauseAt options.Cancellation "data"
    Interruption.check options.Cancellation "data generation"
    if options.Evaluate then task.Protocol() |> ignore
    let trained =
        [ for kind in kinds do
            Interruption.check options.Cancellation "training"
            let t = train options safety task data kind
            Experiment.save options t |> ignore
            t ]
    Experiment.evaluate options trained

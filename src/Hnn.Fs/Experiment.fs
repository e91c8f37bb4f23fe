/// Experiments: task → data → trained models (checkpointed, resumable) → evaluation → results.json.
/// Training checkpoints to the run folder and resumes bit-identically, stops cleanly when cancelled and refuses to
/// continue a diverged state; the task's Adam recipe can be overridden.
module Hnn.Experiment

open System
open System.IO
open System.Threading
open Hnn.Data
open Hnn.Evaluation
open Hnn.Models
open Hnn.Results
open Hnn.Tasks
open Hnn.Training

/// A trained model with what its training produced.
type Trained =
    { Task: Task
      Kind: ModelKind
      Model: DynamicsModel
      Settings: TrainSettings
      Result: TrainingResult }

/// What a model's rollouts from the first states of measured held-out trajectories measured (a task without a known H).
type HeldOutMetrics =
    { /// Mean squared state error over every trajectory, time and coordinate, ± std of 5 contiguous part means / √5.
      RolloutMse: LossEstimate
      /// The measured and the model's path of each trajectory, at its own times (float64).
      Rollouts: Rollouts list }

/// A trained model with its metrics, if evaluated: the energy protocol's (a true system) or the held-out
/// trajectories' (measured data without a known H).
type Evaluated =
    { Trained: Trained
      /// Energy MSE, rollout MSE, energy drift and loss rates on a true system's flow.
      Metrics: TrajectoryMetrics option
      /// Rollout MSE on measured held-out trajectories.
      HeldOut: HeldOutMetrics option
      /// For a dissipative HNN: its learned phase-space contraction −ΔD (1/time, the damping γ of a single degree
      /// of freedom with friction −γ·p) averaged over the reference paths' states, mean ± std/√N.
      Contraction: LossEstimate option
      /// Seconds spent integrating the model for the metrics.
      EvaluationSeconds: float }

/// How a run is carried out; `defaults` is the paper's recipe.
type Options =
    { /// Overrides the task's step count.
      Steps: int option
      /// Seed for data, initial weights and minibatches (paper: 0).
      Seed: int
      /// Torch intra-op threads (None: all cores).
      Threads: int option
      /// Derivative-supervised (the paper's) or integrator-supervised training.
      Supervision: Supervision
      /// For integrator supervision: "rk4", "leapfrog" or "yoshida4".
      Integrator: string
      /// For integrator supervision: steps per observed interval.
      Substeps: int
      /// HNNs learn an H even in p (time-reversible by construction; beyond the paper).
      MomentumSymmetric: bool
      /// Run the energy protocol after training.
      Evaluate: bool
      /// Output folder (see `RunFolder`).
      OutDir: string
      /// Overrides the task's Adam learning rate.
      LearningRate: float option
      /// Overrides the task's minibatch size.
      BatchSize: int option
      /// Overrides the task's Adam weight decay.
      WeightDecay: float option
      /// Clips the gradients' global norm (None: off).
      ClipGradNorm: float option
      /// Checkpoint every this many steps (0: only at the end and when stopped).
      CheckpointEvery: int
      /// Continue each model from its checkpoint in the run folder, if there is one.
      Resume: bool
      /// Stops the run cleanly: training checkpoints after its current step, other phases stop between their parts.
      Cancellation: CancellationToken
      /// Progress lines go here.
      Log: string -> unit }

/// The paper's recipe, writing to `results/`, checkpointing every 100 steps, logging to the console.
let defaults =
    { Steps = None
      Seed = 0
      Threads = None
      Supervision = Supervision.Derivative
      Integrator = "rk4"
      Substeps = 1
      MomentumSymmetric = false
      Evaluate = true
      OutDir = "results"
      LearningRate = None
      BatchSize = None
      WeightDecay = None
      ClipGradNorm = None
      CheckpointEvery = 100
      Resume = false
      Cancellation = CancellationToken.None
      Log = printfn "%s" }

/// The run folder of the options.
let folder (options: Options) = RunFolder options.OutDir

/// The training settings a task gets under these options (the task's recipe with the options' overrides).
let settingsFor (options: Options) (task: Task) =
    let t = task.Training
    TrainSettings(
        Steps = defaultArg options.Steps t.Steps,
        LearningRate = defaultArg options.LearningRate t.LearningRate,
        WeightDecay = defaultArg options.WeightDecay t.WeightDecay,
        BatchSize = (match options.BatchSize with Some b -> Nullable b | None -> t.BatchSize),
        Seed = options.Seed,
        TestEvery = t.TestEvery,
        Threads = Option.toNullable options.Threads,
        Supervision = options.Supervision,
        Integrator = options.Integrator,
        Substeps = options.Substeps,
        ClipGradNorm = Option.toNullable options.ClipGradNorm)
        .Validate()

/// Progress lines (task, model, step, losses, ms/step, ETA) four times per run and at the end; the rate is
/// measured from the first step this process saw, so a resumed run's ETA is right too.
let progressLog (options: Options) (task: Task) (kind: ModelKind) =
    let every = max 1 ((settingsFor options task).Steps / 4)
    let mutable first = None
    { new IProgress<TrainingProgress> with
        member _.Report p =
            Interruption.pauseAt options.Cancellation (sprintf "train:%d" p.Step)
            let start, startTime = first |> Option.defaultWith (fun () -> let f = p.Step, p.Elapsed in first <- Some f; f)
            if p.Step % every = 0 || p.Step = p.TotalSteps then
                let rate =
                    if p.Step = start then ""
                    else
                        let perStep = (p.Elapsed - startTime).TotalSeconds / float (p.Step - start)
                        let eta = TimeSpan.FromSeconds(perStep * float (p.TotalSteps - p.Step))
                        sprintf "  %.1f ms/step  eta %s" (1000.0 * perStep) (eta.ToString @"mm\:ss")
                options.Log(
                    sprintf "  %-13s %-8s step %5d/%d  train %s  test %s%s"
                        task.Key (modelKey kind) p.Step p.TotalSteps (Report.sci 4 p.TrainLoss) (Report.sci 4 p.TestLoss) rate) }

/// Trains one model of `kind` on `data` with the paper's architecture (MLP 200 hidden, tanh), checkpointing to the
/// run folder and resuming from its checkpoint if the options ask.
let train (options: Options) (task: Task) (data: Dataset) (kind: ModelKind) : Trained =
    Torch.init ()
    let settings = settingsFor options task
    // The thread count changes torch's initial weights: set it before the model is made.
    options.Threads |> Option.iter TorchSharp.torch.set_num_threads
    let checkpoint = (folder options).Checkpoint(task.Key, modelKey kind)
    if options.Resume && File.Exists checkpoint then
        options.Log(sprintf "  %-13s %-8s resuming from %s" task.Key (modelKey kind) checkpoint)
    // The family's architecture, completed from the data (a step map's step) and the data in the model's coordinates.
    let inputs = TrainingInputs.For(ModelSettings.Default(kind, task.Dimension, options.MomentumSymmetric), data, Option.toObj task.System)
    let model = DynamicsModel.Create(inputs.Settings, options.Seed)
    let control = TrainingControl(checkpoint, options.CheckpointEvery, options.Resume, task.Key, options.Cancellation)
    let result = Trainer.Train(model, inputs.Data, settings, progressLog options task kind, control)
    { Task = task; Kind = kind; Model = model; Settings = settings; Result = result }

/// A dissipative HNN's mean contraction rate −ΔD over states [N·D] (row-major, float64), ± std/√N.
let contractionRate (model: DissipativeHnn) (dimension: int) (states: float[]) =
    use scope = TorchSharp.torch.NewDisposeScope()
    let x = TorchSharp.torch.tensor(states).reshape(-1L, int64 dimension).to_type(TorchSharp.torch.ScalarType.Float32)
    LossEstimate.MeanAndStdError(model.ContractionRate(x).data<float32>().ToArray() |> Array.map float)

/// A model's path from a measured trajectory's first state at its times (ModelRollout: a field integrated with
/// Dormand–Prince 5(4) on the float64 copy of the model, rtol = atol = 1e-9; a step map iterated), row-major [T, D],
/// float64: evaluation is float64 like the reference's.
let rollout (model: DynamicsModel) (measured: MeasuredTrajectory) =
    ModelRollout.Paths(model, measured.States.Slice(0, 1), measured.Times, 1e-9, 1e-9, null)

/// Rolls a model out from each measured trajectory's first state and compares the paths with the measurements.
let heldOut (model: DynamicsModel) (trajectories: MeasuredTrajectory list) : HeldOutMetrics =
    let rollouts =
        [ for m in trajectories ->
            Rollouts(m.Times, 1, m.States.Columns, Array.copy m.States.Values, rollout model m) ]
    let squared =
        [| for r in rollouts do
             for i in 0 .. r.Times.Length - 1 do
                 let a, b = r.ReferenceState(0, i).ToArray(), r.ModelState(0, i).ToArray()
                 yield Array.fold2 (fun s x y -> s + (x - y) * (x - y)) 0.0 a b / float r.Dimension |]
    { RolloutMse = LossEstimate.FromSplits squared; Rollouts = rollouts }

/// Evaluates trained models as their task says: its energy protocol (the true system integrated once for all of
/// them) or its held-out measured trajectories; a task that evaluates itself (Own) is left unevaluated here.
let evaluate (options: Options) (trained: Trained list) : Evaluated list =
    let unevaluated (t: Trained) = { Trained = t; Metrics = None; HeldOut = None; Contraction = None; EvaluationSeconds = 0.0 }
    match trained with
    | [] -> []
    | _ when not options.Evaluate -> trained |> List.map unevaluated
    | first :: _ ->
        // The reference paths, computed once, and the states a dissipative model's contraction is averaged over.
        let reference =
            match first.Task.Evaluation with
            | Flow(protocol, referencePaths) ->
                let p = protocol ()
                let paths = referencePaths p
                Some(Choice1Of2(p, paths), paths)
            | HeldOut trajectories ->
                let ms = trajectories options.Seed
                Some(Choice2Of2 ms, ms |> List.map (fun m -> m.States.Values) |> Array.concat)
            | Own -> None
        [ for t in trained ->
            Interruption.pauseAt options.Cancellation "evaluate"
            Interruption.check options.Cancellation "evaluation"
            let clock = Diagnostics.Stopwatch.StartNew()
            let integrated f =
                try
                    Some(f ())
                with :? InvalidOperationException as e ->
                    options.Log(sprintf "  %-13s %-8s the model's flow could not be integrated: %s" t.Task.Key (modelKey t.Kind) e.Message)
                    None
            match reference with
            | None -> unevaluated t
            | Some(how, states) ->
                let metrics, heldOutMetrics =
                    match how with
                    | Choice1Of2(protocol, paths) -> integrated (fun () -> TrajectoryEvaluation.Evaluate(protocol, t.Model, paths)), None
                    | Choice2Of2 measured -> None, integrated (fun () -> heldOut t.Model measured)
                let contraction =
                    match t.Model with
                    | :? DissipativeHnn as d -> Some(contractionRate d t.Task.Dimension states)
                    | _ -> None
                { Trained = t; Metrics = metrics; HeldOut = heldOutMetrics; Contraction = contraction
                  EvaluationSeconds = clock.Elapsed.TotalSeconds } ]

/// The results.json cells of an evaluated model.
let cells (e: Evaluated) =
    let t = e.Trained
    let cell metric value = ResultsFile.Cell(t.Task.Key, modelKey t.Kind, metric, value)
    [ cell "train_loss" t.Result.FinalTrain
      cell "test_loss" t.Result.FinalTest
      match e.Metrics with
      | Some m ->
          cell "energy_mse" m.EnergyMse
          cell "rollout_mse" m.RolloutMse
          cell "energy_drift" m.EnergyDrift
          cell "energy_loss_rate" m.EnergyLossRate
          cell "energy_loss_rate_true" m.ReferenceEnergyLossRate
      | None -> ()
      match e.HeldOut with
      | Some h -> cell "rollout_mse" h.RolloutMse
      | None -> ()
      match e.Contraction with
      | Some c -> cell "contraction_rate" c
      | None -> () ]

/// Saves a trained model in the run folder (`RunFolder.Model`, weights beside it); returns the path.
let save (options: Options) (t: Trained) =
    let path = (folder options).Model(t.Task.Key, modelKey t.Kind)
    ModelFile.Save(t.Model, t.Task.Key, t.Settings, path) |> ignore
    path

/// Trains each model kind on the task's data (generated once), saves every model, and evaluates them; a cancellation
/// between phases or models stops the run (training itself checkpoints and stops after its current step).
let runTask (options: Options) (task: Task) (kinds: ModelKind list) : Evaluated list =
    Torch.init ()
    let data = task.Data options.Seed
    Interruption.pauseAt options.Cancellation "data"
    Interruption.check options.Cancellation "data generation"
    TaskSources.record (folder options) task
    // Build the protocol first: bad inputs (e.g. a malformed measurement file) stop before any training.
    if options.Evaluate then task.Protocol |> ignore
    let trained =
        [ for kind in kinds do
            Interruption.check options.Cancellation "training"
            let t = train options task data kind
            save options t |> ignore
            t ]
    evaluate options trained

/// The artifacts of an evaluated model: loss curves and evaluation paths (see RunArtifacts); for held-out
/// trajectories the first one's paths, with no energies (there is no true H to compute them with).
let artifacts (e: Evaluated) =
    let t = e.Trained
    let rollouts =
        match e.Metrics, e.HeldOut with
        | Some m, _ -> Some m.Rollouts
        | None, Some h -> List.tryHead h.Rollouts
        | None, None -> None
    let energies (paths: Rollouts -> double[]) =
        match rollouts, t.Task.System with
        | Some r, Some system when e.Metrics.IsSome ->
            let values, d = paths r, r.Dimension
            Array.init (values.Length / d) (fun i -> system.Energy(ReadOnlySpan(values, i * d, d)))
        | _ -> null
    RunArtifacts(
        t.Task.Key, modelKey t.Kind, t.Result.TrainLoss, t.Result.TestLoss,
        Option.toObj rollouts, energies _.Reference, energies _.Model)

/// Merges the models' cells into OutDir/results.json with this run's metadata, and saves each model's
/// artifacts under OutDir/artifacts; returns the path of results.json.
let record (options: Options) (command: string) (started: DateTime) (evaluated: Evaluated list) =
    let steps = evaluated |> List.tryHead |> Option.map _.Trained.Settings.Steps |> Option.defaultValue 0
    let threads =
        evaluated |> List.tryHead |> Option.map _.Trained.Result.Threads |> Option.defaultValue Environment.ProcessorCount
    let run =
        ResultsFile.RunInfo(
            started.ToString("o"), options.Seed, steps, threads, (DateTime.UtcNow - started).TotalSeconds, command)
    for e in evaluated do
        (artifacts e).Save options.OutDir |> ignore
    ResultsFile.Merge(options.OutDir, evaluated |> List.collect cells, run)

/// The run path of one task: trains `kinds` (checkpointed, resumable), evaluates them as the task says, and records
/// them in the run folder (results.json with `command`, results.md, artifacts; the task itself if it is not built
/// in); returns the evaluated models and the path of results.json.
let runAndRecord (options: Options) (command: string) (task: Task) (kinds: ModelKind list) =
    let started = DateTime.UtcNow
    let evaluated = runTask options task kinds
    let path = record options command started evaluated
    Report.writeMarkdown options.OutDir |> ignore
    evaluated, path

/// Writes the HTML report of every task in the run folder (`tasks` among them: those no file can rebuild, such as a
/// composed system's) and the index, stopping between pages if the run is cancelled (the test hook may pause at
/// "report"); returns the index's path.
let writeReports (options: Options) (tasks: Task list) =
    Interruption.pauseAt options.Cancellation "report"
    List.last (Reports.writeAllFor tasks options.Cancellation options.OutDir)

/// What a task's script does: `runAndRecord`, the table beside the paper's, and the reports; returns the models.
let runScript (options: Options) (task: Task) (kinds: ModelKind list) (command: string) =
    let models, path = runAndRecord options command task kinds
    options.Log(sprintf "results: %s" path)
    options.Log(Report.table task.Key (models |> List.collect cells))
    options.Log(sprintf "report: %s" (writeReports options [ task ]))
    models

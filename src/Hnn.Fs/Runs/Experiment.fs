/// The one run path: task → data → trained models (checkpointed, resumable) → evaluation → results.json, artifacts
/// and reports, whatever the task's source (the paper's, a composed Hamiltonian, a CSV file, the pixel pendulum).
/// Training checkpoints to the run folder and resumes bit-identically, stops cleanly when cancelled and refuses to
/// continue a diverged state; the task's Adam recipe can be overridden.
module Hnn.Experiment

open System
open System.IO
open System.Threading
open Hnn.Data
open Hnn.Evaluation
open Hnn.Models
open Hnn.Models.Sampled
open Hnn.Pixels
open Hnn.Results
open Hnn.Tasks
open Hnn.Training

/// A trained model with what its training produced.
type Trained =
    {
        Task: Task
        Kind: ModelKind
        /// The trained network (for the pixel pendulum, its latent field: the whole model is saved in the run folder).
        Model: DynamicsModel
        Settings: TrainSettings
        Result: TrainingResult
    }

/// What a model's rollouts from the first states of measured held-out trajectories measured (a task without a known H).
type HeldOutMetrics =
    {
        /// Mean squared state error over every trajectory, time and coordinate, ± std of 5 contiguous part means / √5.
        RolloutMse: LossEstimate
        /// The measured and the model's path of each trajectory, at its own times (float64).
        Rollouts: Rollouts list
    }

/// A trained model with its metrics, if evaluated: the energy protocol's (a true system) or the held-out
/// trajectories' (measured data without a known H).
type Evaluated =
    {
        Trained: Trained
        /// Energy MSE, rollout MSE, energy drift and loss rates on a true system's flow.
        Metrics: TrajectoryMetrics option
        /// Rollout MSE on measured held-out trajectories.
        HeldOut: HeldOutMetrics option
        /// For a dissipative HNN: its learned phase-space contraction −ΔD (1/time, the damping γ of a single degree
        /// of freedom with friction −γ·p) averaged over the reference paths' states, mean ± std/√N.
        Contraction: LossEstimate option
        /// For the pixel pendulum: its latent-rollout metrics (the true energy through the fitted canonical map, pixel
        /// errors, the learned H's drift).
        Pixels: PixelMetrics option
        /// Seconds spent integrating the model for the metrics.
        EvaluationSeconds: float
    }

/// How a run is carried out; `defaults` is the paper's recipe.
type Options =
    {
        /// Overrides the task's step count.
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
        /// Overrides the recipe's learning-rate decay (the final rate is the first divided by it; 1: constant).
        LearningRateDecay: float option
        /// Checkpoint every this many steps (0: only at the end and when stopped).
        CheckpointEvery: int
        /// Continue each model from its checkpoint in the run folder, if there is one.
        Resume: bool
        /// Overrides the hidden layers' width of the models that have one (`ModelSettings.HasHiddenWidth`; the paper's
        /// 200); the others keep theirs.
        Hidden: int option
        /// Overrides a Lagrangian network's relative ridge μ (`ModelSettings.RelativeRidge`, default
        /// `LagrangianNet.RelativeRidge`); the other kinds have none.
        RelativeRidge: float option
        /// Overrides a SympNet's depth (`ModelSettings.Layers`: an LA-SympNet's linear modules, a G-SympNet's gradient
        /// modules); the other kinds have none.
        Layers: int option
        /// For the sampled kinds: width, sampler, ridges, validation share, state cap (their kind and momentum symmetry
        /// come from the run); a sampled fit takes none of the Adam settings above.
        Sampling: SampledSettings
        /// Stops the run cleanly: training checkpoints after its current step, other phases stop between their parts.
        Cancellation: CancellationToken
        /// Progress lines go here.
        Log: string -> unit
        /// When set, every training step goes here (a live display) instead of the periodic progress lines to `Log`.
        Progress: (StepProgress -> unit) option
    }

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
      LearningRateDecay = None
      CheckpointEvery = 100
      Resume = false
      Hidden = None
      RelativeRidge = None
      Layers = None
      Sampling = SampledSettings()
      Cancellation = CancellationToken.None
      Log = printfn "%s"
      Progress = None }

/// The run folder of the options.
let folder (options: Options) = RunFolder options.OutDir

/// The batch size a run of `task` trains with under these options: the option's, or the task's (null: full batch).
let batchSize (options: Options) (task: Task) =
    match options.BatchSize with
    | Some b -> Nullable b
    | None -> task.Training.BatchSize

/// The regime of a run of `task` under these options on a training set of `examples`.
let private regimeOver (options: Options) (task: Task) (examples: int64) =
    if TrainSettings(BatchSize = batchSize options task).DrawsMinibatches examples then
        Tasks.Minibatches
    else
        Tasks.FullBatch

/// The regime a run of `task` trains a model in under these options, from the model's training inputs: minibatches
/// where its batch size is below the number of examples its training steps draw from (`Trainer.TrainingExamples`:
/// pairs for a step map or integrator supervision, states otherwise), by the trainer's own rule
/// (`TrainSettings.DrawsMinibatches`); a batch at least as large as the training set is full batch, as the trainer
/// trains it.
let regime (options: Options) (task: Task) (inputs: TrainingInputs) =
    regimeOver options task (Trainer.TrainingExamples(inputs.Settings.Kind, options.Supervision, inputs.Data))

/// The steps a model of `kind` trains for on `task` under these options: the option's, or its recipe's
/// (`Tasks.steps`, the same in either regime, so known before the data).
let steps (options: Options) (task: Task) (kind: ModelKind) = defaultArg options.Steps (Tasks.steps task kind)

/// The training settings a model of `kind` gets on a task under these options in `regime` (`Tasks.recipe`, the task's
/// recipe or the family's for that regime, with the options' overrides; every setting the recipe has and no option
/// overrides is the recipe's). Its batch is `batchSize`, the one `regime` decides by.
let settingsFor (options: Options) (task: Task) (kind: ModelKind) (regime: Tasks.Regime) =
    (Tasks.recipe regime task kind)
        .Overriding(
            steps = Option.toNullable options.Steps,
            learningRate = Option.toNullable options.LearningRate,
            weightDecay = Option.toNullable options.WeightDecay,
            batchSize = batchSize options task,
            seed = options.Seed,
            threads = Option.toNullable options.Threads,
            supervision = options.Supervision,
            integrator = options.Integrator,
            substeps = options.Substeps,
            clipGradNorm = Option.toNullable options.ClipGradNorm,
            learningRateDecay = Option.toNullable options.LearningRateDecay
        )
        .Validate()

/// The architecture a run builds a trained model of `kind` with: the family's default (`ModelSettings.Default`), with
/// the options' hidden width where the kind has hidden layers, their relative ridge for a Lagrangian network and their
/// depth for a SympNet. A step map's step size is still to come from its data (`TrainingInputs.For`).
let architecture (options: Options) (task: Task) (kind: ModelKind) =
    let hidden = if ModelSettings.HasHiddenWidth kind then options.Hidden else None
    let ridge = if ModelSettings.HasRelativeRidge kind then options.RelativeRidge else None
    let layers = if ModelSettings.IsStepMap kind then options.Layers else None
    ModelSettings
        .Default(kind, task.Dimension, options.MomentumSymmetric)
        .Overriding(Option.toNullable hidden, Option.toNullable ridge, Option.toNullable layers)

/// Checks, before any work, that `task` can train `kinds` under these options: valid settings, and for the pixel
/// pendulum baseline or HNN only, derivative-supervised, not momentum-symmetric. Raises ArgumentException naming the
/// problem.
let check (options: Options) (task: Task) (kinds: ModelKind list) =
    for kind in kinds do
        for regime in [ Tasks.FullBatch; Tasks.Minibatches ] do
            settingsFor options task kind regime |> ignore
    match options.Hidden with
    | Some h when h < 1 -> invalidArg (nameof options) (sprintf "the hidden width must be at least 1, got %d" h)
    | _ -> ()
    match options.Layers with
    | Some n when n < 1 -> invalidArg (nameof options) (sprintf "a SympNet needs at least 1 layer, got %d" n)
    | _ -> ()
    match options.RelativeRidge with
    | Some mu when not (mu >= 0.0 && Double.IsFinite mu) ->
        invalidArg (nameof options) (sprintf "the relative ridge must be zero or positive and finite, got %g" mu)
    | _ -> ()
    match task.Source with
    | Pixels _ ->
        for kind in kinds do
            if not (List.contains kind PixelPendulum.modelKinds) then
                invalidArg
                    (nameof kinds)
                    (sprintf
                        "%s trains %s only, not %s"
                        task.Key
                        (PixelPendulum.modelKinds |> List.map modelKey |> String.concat " and ")
                        (modelKey kind))
        if options.Supervision <> Supervision.Derivative then
            invalidArg (nameof options) (sprintf "%s learns from frame pairs with its own objective, not integrator-supervised" task.Key)
        if options.MomentumSymmetric then
            invalidArg (nameof options) (sprintf "%s: its latent field is not momentum-symmetric" task.Key)
        if options.Hidden.IsSome then
            invalidArg (nameof options) (sprintf "%s: its autoencoder and latent field keep their own widths (no hidden width)" task.Key)
    | BuiltIn
    | Composed _
    | Csv _ -> ()

/// How training of a model is kept safe: its checkpoint in the run folder (`RunFolder.Checkpoint`), the options'
/// interval and resume, the task's key (checked on resume) and the options' stop token.
let control (options: Options) (task: Task) (kind: ModelKind) =
    TrainingControl(
        (folder options).Checkpoint(task.Key, modelKey kind),
        options.CheckpointEvery,
        options.Resume,
        task.Key,
        options.Cancellation
    )

/// Progress lines (task, model, step, losses, ms/step, ETA) four times per run and at the end, or every step to
/// `Options.Progress` when set; the rate is measured from the first step this process saw, so a resumed run's ETA is
/// right too. The test hook may pause after step N at "train:N" ("pixel-train:N" for the pixel pendulum).
let progressLog (options: Options) (task: Task) (kind: ModelKind) =
    let every = max 1 (steps options task kind / 4)
    let point =
        match task.Source with
        | Pixels _ -> "pixel-train"
        | _ -> "train"
    let mutable first = None
    { new IProgress<TrainingProgress> with
        member _.Report p =
            Interruption.pauseAt options.Cancellation (sprintf "%s:%d" point p.Step)
            let start, startTime =
                first
                |> Option.defaultWith (fun () ->
                    let f = p.Step, p.Elapsed in
                    first <- Some f
                    f)
            let perStep = if p.Step = start then nan else (p.Elapsed - startTime).TotalSeconds / float (p.Step - start)
            match options.Progress with
            | Some show ->
                show
                    { TaskKey = task.Key
                      ModelKey = modelKey kind
                      Step = p.Step
                      TotalSteps = p.TotalSteps
                      TrainLoss = p.TrainLoss
                      TestLoss = p.TestLoss
                      MillisecondsPerStep = 1000.0 * perStep }
            | None when p.Step % every = 0 || p.Step = p.TotalSteps ->
                let rate =
                    if Double.IsNaN perStep then
                        ""
                    else
                        let eta = TimeSpan.FromSeconds(perStep * float (p.TotalSteps - p.Step))
                        sprintf "  %.1f ms/step  eta %s" (1000.0 * perStep) (eta.ToString @"mm\:ss")
                options.Log(
                    sprintf
                        "  %-13s %-8s step %5d/%d  train %s  test %s%s"
                        task.Key
                        (modelKey kind)
                        p.Step
                        p.TotalSteps
                        (Format.sci 4 p.TrainLoss)
                        (Format.sci 4 p.TestLoss)
                        rate
                )
            | None -> () }

/// Fits a sampled model (Hnn.Models.Sampled) to `data`'s training split with `options.Sampling`, seeded by the run's
/// seed: one least-squares solve, no steps, so no checkpoint (a fit takes seconds; --resume fits again). Its losses
/// are the paper's, as for a trained model; its loss curves are empty.
let private fitSampled (options: Options) (task: Task) (data: Dataset) (kind: ModelKind) : Trained =
    options.Threads |> Option.iter TorchSharp.torch.set_num_threads
    let fit = SampledFit.Fit(data, options.Sampling.ForModel(kind, options.MomentumSymmetric), options.Seed)
    options.Log(sprintf "  %-13s %-8s %O" task.Key (modelKey kind) fit.Report)
    let model = fit.Model :> DynamicsModel
    let result =
        TrainingResult(
            [||],
            [||],
            Trainer.FinalLoss(model, data.TrainX, data.TrainDx),
            Trainer.FinalLoss(model, data.TestX, data.TestDx),
            fit.Report.Seconds,
            TorchSharp.torch.get_num_threads ()
        )
    let settings = TrainSettings(Steps = 0, Seed = options.Seed, TestEvery = 0, Threads = Option.toNullable options.Threads).Validate()
    { Task = task; Kind = kind; Model = model; Settings = settings; Result = result }

/// Trains one model of `kind` on `data` with the paper's architecture (MLP 200 hidden, tanh), checkpointing to the
/// run folder and resuming from its checkpoint if the options ask; a sampled kind is fitted instead (`fitSampled`).
let train (options: Options) (task: Task) (data: Dataset) (kind: ModelKind) : Trained =
    Torch.init ()
    if ModelSettings.IsSampled kind then
        fitSampled options task data kind
    else
        // The thread count changes torch's initial weights: set it before the model is made.
        options.Threads |> Option.iter TorchSharp.torch.set_num_threads
        let control = control options task kind
        if options.Resume && File.Exists control.CheckpointPath then
            options.Log(sprintf "  %-13s %-8s resuming from %s" task.Key (modelKey kind) control.CheckpointPath)
        // The family's architecture, completed from the data (a step map's step) and the data in the model's coordinates.
        let inputs = TrainingInputs.For(architecture options task kind, data, Option.toObj task.System)
        let settings = settingsFor options task kind (regime options task inputs)
        let model = DynamicsModel.Create(inputs.Settings, options.Seed)
        let result = Trainer.Train(model, inputs.Data, settings, progressLog options task kind, control)
        { Task = task; Kind = kind; Model = model; Settings = settings; Result = result }

/// Trains one pixel-pendulum model of `kind` on its frames, as `train` trains the others: the options' settings,
/// checkpoints and resume (the same Checkpoint files), stop handling and progress lines; returns the whole model
/// (autoencoder and latent field), the settings and its training record.
let trainPixels (options: Options) (task: Task) (data: PixelDataset) (kind: ModelKind) =
    Torch.init ()
    check options task [ kind ]
    let settings = settingsFor options task kind (regimeOver options task (int64 data.TrainSamples))
    options.Threads |> Option.iter TorchSharp.torch.set_num_threads
    let control = control options task kind
    if options.Resume && File.Exists control.CheckpointPath then
        options.Log(sprintf "  %-13s %-8s resuming from %s" task.Key (modelKey kind) control.CheckpointPath)
    let model = PixelHnn.Create(kind, options.Seed, data.PairDimension)
    let result = PixelTrainer.Train(model, data, settings, progressLog options task kind, control)
    model, settings, result

/// A dissipative HNN's mean contraction rate −ΔD over states [N·D] (row-major, float64), ± std/√N.
let contractionRate (model: DissipativeHnn) (dimension: int) (states: float[]) =
    use scope = TorchSharp.torch.NewDisposeScope()
    let x = TorchSharp.torch.tensor(states).reshape(-1L, int64 dimension).to_type(TorchSharp.torch.ScalarType.Float32)
    LossEstimate.MeanAndStdError(model.ContractionRate(x).data<float32>().ToArray() |> Array.map float)

/// A sampled dissipative HNN's mean contraction rate −ΔD (closed form, float64) over states [N·D] (row-major), ± std/√N.
let sampledContractionRate (model: SampledDissipativeHnn) (dimension: int) (states: float[]) =
    use scope = TorchSharp.torch.NewDisposeScope()
    let x = TorchSharp.torch.tensor(states).reshape(-1L, int64 dimension)
    LossEstimate.MeanAndStdError(model.ContractionRate(x).data<float>().ToArray())

/// A model's path from a measured trajectory's first state at its times (ModelRollout: a field integrated with
/// Dormand–Prince 5(4) on the float64 copy of the model, rtol = atol = 1e-9; a step map iterated), row-major [T, D],
/// float64: evaluation is float64 like the reference's. A path that leaves ModelRollout.EscapeFactor times the
/// measurements' size has diverged and is NaN from there on.
let rollout (model: DynamicsModel) (measured: MeasuredTrajectory) =
    ModelRollout.Paths(model, measured.States.Slice(0, 1), measured.Times, 1e-9, 1e-9, null, measured.States.Values)

/// Rolls a model out from each measured trajectory's first state and compares the paths with the measurements.
let heldOut (model: DynamicsModel) (trajectories: MeasuredTrajectory list) : HeldOutMetrics =
    let rollouts = [ for m in trajectories -> Rollouts(m.Times, 1, m.States.Columns, Array.copy m.States.Values, rollout model m) ]
    let squared =
        [| for r in rollouts do
               for i in 0 .. r.Times.Length - 1 do
                   yield TrajectoryEvaluation.StateError(r.ReferenceState(0, i), r.ModelState(0, i)) |]
    { RolloutMse = LossEstimate.FromSplits squared; Rollouts = rollouts }

/// Evaluates trained models as their task says: its energy protocol (the true system integrated once for all of
/// them) or its held-out measured trajectories; a task that evaluates itself (Own) is left unevaluated here.
let evaluate (options: Options) (trained: Trained list) : Evaluated list =
    let unevaluated (t: Trained) =
        { Trained = t; Metrics = None; HeldOut = None; Contraction = None; Pixels = None; EvaluationSeconds = 0.0 }
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
                      options.Log(
                          sprintf "  %-13s %-8s the model's flow could not be integrated: %s" t.Task.Key (modelKey t.Kind) e.Message
                      )
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
                      | :? SampledDissipativeHnn as d -> Some(sampledContractionRate d t.Task.Dimension states)
                      | _ -> None
                  { Trained = t
                    Metrics = metrics
                    HeldOut = heldOutMetrics
                    Contraction = contraction
                    Pixels = None
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
          cell "energy_error" m.EnergyError
          cell "vpt" m.ValidPredictionTime
      | None -> ()
      match e.HeldOut with
      | Some h -> cell "rollout_mse" h.RolloutMse
      | None -> ()
      match e.Contraction with
      | Some c -> cell "contraction_rate" c
      | None -> ()
      match e.Pixels with
      | Some m ->
          cell "energy_mse" m.EnergyMse
          cell "rollout_mse" m.RolloutMse
          cell "energy_drift" m.EnergyDrift
          match m.LearnedEnergyDrift with
          | null -> ()
          | drift -> cell "learned_energy_drift" drift
      | None -> () ]

/// Saves a trained model in the run folder (`RunFolder.Model`, weights beside it); returns the path.
let save (options: Options) (t: Trained) =
    let path = (folder options).Model(t.Task.Key, modelKey t.Kind)
    ModelFile.Save(t.Model, t.Task.Key, t.Settings, path) |> ignore
    path

/// The pixel pendulum's part of `runTask`: its frames, each model trained (`trainPixels`) and saved
/// (`PixelPendulum.save`), then evaluated by latent rollouts, and the animations drawn into the run folder.
let private runPixels (options: Options) (task: Task) (recipe: PixelPendulumRecipe) (kinds: ModelKind list) =
    let data = PixelPendulum.data (cacheFolder ()) options.Log recipe options.Seed
    Interruption.pauseAt options.Cancellation "data"
    Interruption.check options.Cancellation "data generation"
    TaskSources.record (folder options) task
    options.Log(sprintf "%s: %d train and %d test samples of %d pixels" task.Key data.TrainSamples data.TestSamples data.PairDimension)
    let trained =
        [ for kind in kinds do
              Interruption.check options.Cancellation "training"
              let model, settings, result = trainPixels options task data kind
              PixelPendulum.save (folder options) task.Key settings model |> ignore
              model, settings, result ]
    let evaluated =
        [ for model, settings, result in trained ->
              Interruption.pauseAt options.Cancellation "evaluate"
              Interruption.check options.Cancellation "evaluation"
              let clock = Diagnostics.Stopwatch.StartNew()
              let metrics = if options.Evaluate then Some(PixelPendulum.evaluate model data) else None
              let r = result.FinalTest.Total
              match metrics with
              | Some m ->
                  let struct (r2Theta, r2P) = m.MapRSquared
                  options.Log(
                      sprintf
                          "  %-13s %-8s test %s  energy MSE %s  rollout MSE %s  map R² %.3f/%.3f  %s"
                          task.Key
                          (modelKey model.Kind)
                          (Format.sci 4 r.Mean)
                          (Format.sci 3 m.EnergyMse.Mean)
                          (Format.sci 3 m.RolloutMse.Mean)
                          r2Theta
                          r2P
                          (PixelPendulum.memory ())
                  )
              | None -> ()
              { Trained =
                  { Task = task
                    Kind = model.Kind
                    Model = model.Dynamics
                    Settings = settings
                    Result = PixelPendulum.trainingResult result }
                Metrics = None
                HeldOut = None
                Contraction = None
                Pixels = metrics
                EvaluationSeconds = clock.Elapsed.TotalSeconds } ]
    if options.Evaluate then
        Interruption.check options.Cancellation "drawing the pictures"
        for picture in PixelPendulum.pictures (folder options) recipe.Renderer data [ for model, _, _ in trained -> model ] do
            options.Log(sprintf "  picture: %s" picture)
    evaluated

/// The state tasks' part of `runTask`: their data, each model trained (`train`) and saved (`save`), then evaluated.
let private runStates (options: Options) (task: Task) (kinds: ModelKind list) =
    let data = task.Data options.Seed
    Interruption.pauseAt options.Cancellation "data"
    Interruption.check options.Cancellation "data generation"
    TaskSources.record (folder options) task
    // Build the protocol first: bad inputs (e.g. a malformed measurement file) stop before any training.
    if options.Evaluate then
        task.Protocol |> ignore
    let trained =
        [ for kind in kinds do
              Interruption.check options.Cancellation "training"
              let t = train options task data kind
              save options t |> ignore
              t ]
    evaluate options trained

/// Trains each model kind on the task's data (generated once), saves every model, and evaluates them; a cancellation
/// between phases or models stops the run (training itself checkpoints and stops after its current step).
let runTask (options: Options) (task: Task) (kinds: ModelKind list) : Evaluated list =
    Torch.init ()
    check options task kinds
    match task.Source with
    | Pixels recipe -> runPixels options task recipe kinds
    | BuiltIn
    | Composed _
    | Csv _ -> runStates options task kinds

/// The artifacts of an evaluated model: loss curves and evaluation paths (see RunArtifacts); for held-out
/// trajectories the first one's paths, with no energies (there is no true H to compute them with).
let artifacts (e: Evaluated) =
    let t = e.Trained
    let rollouts =
        match e.Metrics, e.HeldOut with
        | Some m, _ -> Some m.Rollouts
        | None, Some h -> List.tryHead h.Rollouts
        | None, None -> None
    let energies (paths: Rollouts -> double[]) : double[] | null =
        match rollouts, t.Task.System with
        | Some r, Some system when e.Metrics.IsSome ->
            let values, d = paths r, r.Dimension
            Array.init (values.Length / d) (fun i -> system.Energy(ReadOnlySpan(values, i * d, d)))
        | _ -> null
    RunArtifacts(
        t.Task.Key,
        modelKey t.Kind,
        t.Result.TrainLoss,
        t.Result.TestLoss,
        Option.toObj rollouts,
        energies _.Reference,
        energies _.Model
    )

/// Merges the models' cells into OutDir/results.json with this run's metadata, and saves each model's
/// artifacts under OutDir/artifacts; returns the path of results.json.
let record (options: Options) (command: string) (started: DateTime) (evaluated: Evaluated list) =
    let steps = evaluated |> List.tryHead |> Option.map _.Trained.Settings.Steps |> Option.defaultValue 0
    let threads = evaluated |> List.tryHead |> Option.map _.Trained.Result.Threads |> Option.defaultValue Environment.ProcessorCount
    let run = ResultsFile.RunInfo(started.ToString("o"), options.Seed, steps, threads, (DateTime.UtcNow - started).TotalSeconds, command)
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
    TextTable.writeMarkdown options.OutDir |> ignore
    evaluated, path

/// Writes the HTML report of every task in the run folder (`tasks` among them: those no file can rebuild, such as a
/// composed system's) and the index, stopping between pages if the run is cancelled (the test hook may pause at
/// "report"); returns the index's path.
let writeReports (options: Options) (tasks: Task list) =
    Interruption.pauseAt options.Cancellation "report"
    List.last (HtmlReport.writeAllFor tasks options.Cancellation options.OutDir)

/// What the run path left for one task.
type Run =
    {
        Task: Task
        /// Its models, trained and evaluated.
        Models: Evaluated list
        /// The run folder's results.json.
        Results: string
        /// The task's report page (the index beside it).
        Report: string
    }

/// The run path of one task to its report: `runAndRecord`, then `writeReports`.
let run (options: Options) (command: string) (task: Task) (kinds: ModelKind list) : Run =
    let models, results = runAndRecord options command task kinds
    writeReports options [ task ] |> ignore
    { Task = task; Models = models; Results = results; Report = (folder options).Report task.Key }

/// What a task's script does: `run`, then logs results.json, the table beside the paper's and the report; returns
/// the models.
let runScript (options: Options) (task: Task) (kinds: ModelKind list) (command: string) =
    let r = run options command task kinds
    options.Log(sprintf "results: %s" r.Results)
    options.Log(TextTable.table task.Key (r.Models |> List.collect cells))
    options.Log(sprintf "report: %s" r.Report)
    r.Models

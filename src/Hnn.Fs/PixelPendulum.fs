/// Task 5 of the paper, the pixel pendulum: frames of Gym's pendulum → baseline and HNN on an autoencoder's latent
/// space → losses, latent-rollout energy and pixel errors → animations. Returns results.json cells under
/// "pixel-pendulum" so the main reproduction can include it.
module Hnn.PixelPendulum

open System
open System.IO
open System.Threading
open Hnn.Models
open Hnn.Pixels
open Hnn.Results
open Hnn.Training

/// The key of this task in results.json.
[<Literal>]
let taskKey = "pixel-pendulum"

/// How the task is run; `defaults` is the paper's recipe.
type Options =
    { /// Training steps per model (paper: 10 000).
      Steps: int
      /// Seed for data, initial weights and minibatches (paper: 0).
      Seed: int
      /// Torch intra-op threads (None: all cores).
      Threads: int option
      /// Adam learning rate (paper: 1e-3).
      LearningRate: float
      /// Adam weight decay (paper: 1e-5).
      WeightDecay: float
      /// Minibatch size (paper: 200).
      BatchSize: int
      /// Clips the gradients' global norm (None: off, as the paper).
      ClipGradNorm: float option
      /// The models to train: baseline, HNN or both (the paper's).
      Models: ModelKind list
      /// Reuse a model whose weights an earlier, interrupted run of this folder saved, instead of training it again.
      Resume: bool
      /// Stops the run cleanly between training steps and between the other phases.
      Cancellation: CancellationToken
      /// Output folder for results.json, pictures and weights.
      OutDir: string
      /// Where generated datasets are cached.
      CacheDir: string
      /// The data; its seed is replaced by `Seed`.
      Recipe: PixelPendulumRecipe
      /// Frames of the animations (the data's trials give 100; longer ones are simulated).
      AnimationSteps: int
      /// Factor on the angular speed (true) and on the latent velocity (models) half way through the second animation.
      BoostFactor: float
      /// Progress lines go here.
      Log: string -> unit
      /// When set, every training step goes here (a live display) instead of the progress lines to `Log`.
      Progress: (StepProgress -> unit) option }

/// The paper's recipe, writing to `results/pixel-pendulum`, caching data in `results/cache`, logging to the console.
let defaults =
    { Steps = 10000; Seed = 0; Threads = None; LearningRate = 1e-3; WeightDecay = 1e-5; BatchSize = 200; ClipGradNorm = None
      Models = [ ModelKind.Baseline; ModelKind.Hnn ]; Resume = false; Cancellation = CancellationToken.None
      OutDir = "results/pixel-pendulum"; CacheDir = "results/cache"
      Recipe = PixelPendulumRecipe(); AnimationSteps = 200; BoostFactor = 1.5; Log = printfn "%s"
      Progress = None }

/// The model kinds this task trains (the paper's two).
let modelKinds = [ ModelKind.Baseline; ModelKind.Hnn ]

/// A trained pixel model with what its training and evaluation produced.
type Trained =
    { Kind: ModelKind
      Model: PixelHnn
      Training: PixelTrainingResult
      Metrics: PixelMetrics }

/// Everything a run produced.
type Outcome =
    { Models: Trained list
      /// results.json cells of every model.
      Cells: ResultsFile.Cell list
      /// The pictures written.
      Pictures: string list
      /// Wall time of the whole run.
      Seconds: float }

/// The model key of a kind in results.json.
let modelKey (kind: ModelKind) = if kind = ModelKind.Hnn then "hnn" else "baseline"

/// The training settings of the options (the paper's: Adam 1e-3, weight decay 1e-5, batch 200).
let settings (options: Options) =
    TrainSettings(
        Steps = options.Steps, LearningRate = options.LearningRate, WeightDecay = options.WeightDecay,
        BatchSize = Nullable options.BatchSize, Seed = options.Seed, TestEvery = 0, Threads = Option.toNullable options.Threads,
        ClipGradNorm = Option.toNullable options.ClipGradNorm)
        .Validate()

/// Resident and peak memory of this process from /proc/self/status, e.g. "rss 812 MB, peak 840 MB".
let memory () =
    let field name =
        try
            File.ReadLines "/proc/self/status"
            |> Seq.tryFind (fun l -> l.StartsWith(name + ":"))
            |> Option.map (fun l -> float (l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0)
        with :? IOException -> None
    match field "VmRSS", field "VmHWM" with
    | Some rss, Some peak -> sprintf "rss %.0f MB, peak %.0f MB" rss peak
    | _ -> "memory unknown"

let private progress (options: Options) (kind: ModelKind) =
    { new IProgress<TrainingProgress> with
        member _.Report p =
            Interruption.pauseAt options.Cancellation (sprintf "pixel-train:%d" p.Step)
            let perStep = p.Elapsed.TotalSeconds / float (p.Step + 1)
            match options.Progress with
            | Some show ->
                show
                    { TaskKey = taskKey; ModelKey = modelKey kind; Step = p.Step; TotalSteps = p.TotalSteps
                      TrainLoss = p.TrainLoss; TestLoss = p.TestLoss; MillisecondsPerStep = 1000.0 * perStep }
            | None when p.Step % 1000 = 0 || p.Step = p.TotalSteps ->
                options.Log(
                    sprintf "  %s %-8s step %5d/%d  train %.4e  test %.4e  %.1f ms/step  %s"
                        taskKey (modelKey kind) p.Step p.TotalSteps p.TrainLoss p.TestLoss (1000.0 * perStep) (memory ()))
            | None -> () }

/// The dataset of the options' recipe (and seed), from the cache when it is there.
let data (options: Options) =
    Torch.init ()
    let r = options.Recipe
    let recipe =
        PixelPendulumRecipe(
            r.Trials, r.FramesPerTrial, r.MaxStartAngle, r.MaxStartSpeed, r.TestFraction, r.Side, r.HalfView, r.Supersampling, options.Seed)
    PixelDatasetCache.GetOrCreate(options.CacheDir, recipe, Action<string> options.Log)

/// Trains one pixel model of `kind` and evaluates it with the latent-rollout protocol.
let train (options: Options) (data: PixelDataset) (kind: ModelKind) =
    Torch.init ()
    let model = PixelHnn.Create(kind, options.Seed, data.PairDimension)
    let training = PixelTrainer.Train(model, data, settings options, progress options kind, cancellation = options.Cancellation)
    Interruption.pauseAt options.Cancellation "pixel-evaluate"
    Interruption.check options.Cancellation "evaluation"
    let metrics = PixelEvaluation.Evaluate(model, data)
    { Kind = kind; Model = model; Training = training; Metrics = metrics }

/// The results.json cells of a trained model: train_loss, test_loss, energy_mse, rollout_mse (pixels), energy_drift
/// and, for the HNN, learned_energy_drift.
let cells (t: Trained) =
    let cell metric value = ResultsFile.Cell(taskKey, modelKey t.Kind, metric, value)
    [ cell "train_loss" t.Training.FinalTrain.Total
      cell "test_loss" t.Training.FinalTest.Total
      cell "energy_mse" t.Metrics.EnergyMse
      cell "rollout_mse" t.Metrics.RolloutMse
      cell "energy_drift" t.Metrics.EnergyDrift
      match t.Metrics.LearnedEnergyDrift with
      | null -> ()
      | drift -> cell "learned_energy_drift" drift ]

/// The test trial the animations show: the one whose start energy is closest to 40 % of the largest, so that its swing
/// (about 0.63 of the widest amplitude) stays inside the data's range when the second animation scales it by 1.5.
let showcaseTrial (data: PixelDataset) =
    let energy k = let struct (theta, p) = data.Coordinate(k, 2) in GymPendulum.Energy(theta, 4.0 * p)
    let trials = [ 0 .. data.TestTrials - 1 ]
    let target = 0.4 * (trials |> List.map energy |> List.max)
    trials |> List.minBy (fun k -> abs (energy k - target))

let private frames (count: int) (frame: int -> float32[]) =
    [| for i in 0 .. count -> frame i |] :> Collections.Generic.IReadOnlyList<float32[]>

/// Writes true | each model (baseline | HNN for the paper's pair) as an animated GIF and a PNG strip, plain and with
/// energy added half way (the swing's amplitude multiplied by `BoostFactor`: angle and speed for the truth, the code
/// about the rest code for the models); returns the paths.
let pictures (options: Options) (data: PixelDataset) (models: (ModelKind * PixelHnn) list) =
    let trial = showcaseTrial data
    let steps = options.AnimationSteps
    let struct (theta0, p0) = data.Coordinate(trial, 2)
    let renderer = options.Recipe.Renderer
    [ for name, boost in [ "pixel-pendulum", None; "pixel-pendulum-energy", Some(steps / 2) ] do
        let truth = PendulumPath.Simulate(theta0, 4.0 * p0, steps, renderer, Option.toNullable boost, options.BoostFactor)
        let rollout (model: PixelHnn) =
            let start = PixelEvaluation.Starts(model, data)[2 * trial .. 2 * trial + 1]
            let rest = PixelEvaluation.RestCode(model, renderer)
            let path = LatentPath.Run(model, start, steps, Option.toNullable boost, options.BoostFactor, rest)
            frames steps (fun i -> path.Frame(0, i).ToArray())
        let panels =
            FramePanel("true", frames steps (fun i -> truth.Frame(i).ToArray()))
            :: [ for kind, model in models -> FramePanel(modelKey kind, rollout model) ]
        let caption i =
            match boost with
            | Some b when i >= b -> sprintf "t %d  amplitude x%.1f" i options.BoostFactor
            | _ -> sprintf "t %d" i
        let gif = RunFolder(options.OutDir).Picture(name + ".gif")
        let png = RunFolder(options.OutDir).Picture(name + ".png")
        PixelPictures.WriteGif(gif, panels, renderer.Side, caption = Func<int, string> caption)
        PixelPictures.WritePngStrip(png, panels, renderer.Side, every = 10)
        yield gif
        yield png ]

/// Where `run` saves the weights of a model of `kind`.
let weightsPath (options: Options) (kind: ModelKind) =
    RunFolder(options.OutDir).Weights(taskKey, modelKey kind)

/// A model of `kind` with the weights a previous `run` saved (to redraw pictures or re-evaluate without training).
let load (options: Options) (data: PixelDataset) (kind: ModelKind) =
    Torch.init ()
    let model = new PixelHnn(kind, data.PairDimension)
    model.load (weightsPath options kind) |> ignore
    model.eval ()
    model

/// The cells, losses and metrics of a model whose weights an earlier run saved (its loss curves are not kept).
let private reloaded (options: Options) (data: PixelDataset) (kind: ModelKind) =
    let model = load options data kind
    let final test = PixelTrainer.Evaluate(model, data, test)
    let threads = defaultArg options.Threads Environment.ProcessorCount
    { Kind = kind; Model = model; Training = PixelTrainingResult([||], [||], final false, final true, 0.0, threads)
      Metrics = PixelEvaluation.Evaluate(model, data) }

/// Runs the whole task: data, the models (each saved under OutDir/models once trained; with Resume, a model saved by
/// an earlier run of the folder is reloaded instead of trained), metrics and pictures. Stops between phases when
/// the options' token is cancelled.
let run (options: Options) =
    Torch.init ()
    if options.Models.IsEmpty || options.Models |> List.exists (fun k -> not (List.contains k modelKinds)) then
        invalidArg (nameof options) (sprintf "%s trains %s only, asked for %A" taskKey (modelKinds |> List.map modelKey |> String.concat " and ") options.Models)
    let clock = Diagnostics.Stopwatch.StartNew()
    let data = data options
    Interruption.pauseAt options.Cancellation "pixel-data"
    Interruption.check options.Cancellation "data generation"
    options.Log(sprintf "%s: %d train and %d test samples of %d pixels" taskKey data.TrainSamples data.TestSamples data.PairDimension)
    let trained =
        [ for kind in modelKinds |> List.filter (fun k -> List.contains k options.Models) do
            Interruption.check options.Cancellation "training"
            let weights = weightsPath options kind
            let t =
                if options.Resume && File.Exists weights then
                    options.Log(sprintf "  %s %-8s reusing %s" taskKey (modelKey kind) weights)
                    reloaded options data kind
                else
                    let t = train options data kind
                    Directory.CreateDirectory(Path.GetDirectoryName weights) |> ignore
                    t.Model.save weights |> ignore
                    t
            let struct (r2Theta, r2P) = t.Metrics.MapRSquared
            options.Log(
                sprintf "  %s %-8s train %.4e ± %.1e  test %.4e ± %.1e  energy MSE %.3e ± %.1e  rollout MSE %.3e  map R² %.3f/%.3f  %s"
                    taskKey (modelKey kind) t.Training.FinalTrain.Total.Mean t.Training.FinalTrain.Total.Err
                    t.Training.FinalTest.Total.Mean t.Training.FinalTest.Total.Err t.Metrics.EnergyMse.Mean t.Metrics.EnergyMse.Err
                    t.Metrics.RolloutMse.Mean r2Theta r2P (memory ()))
            t ]
    Interruption.check options.Cancellation "drawing the pictures"
    let pictures = pictures options data [ for t in trained -> t.Kind, t.Model ]
    { Models = trained; Cells = trained |> List.collect cells; Pictures = pictures; Seconds = clock.Elapsed.TotalSeconds }

/// Merges the outcome's cells into OutDir/results.json with this run's metadata; returns its path.
let record (options: Options) (command: string) (started: DateTime) (outcome: Outcome) =
    let threads = outcome.Models |> List.tryHead |> Option.map _.Training.Threads |> Option.defaultValue Environment.ProcessorCount
    let run = ResultsFile.RunInfo(started.ToString "o", options.Seed, options.Steps, threads, outcome.Seconds, command)
    ResultsFile.Merge(options.OutDir, outcome.Cells, run)

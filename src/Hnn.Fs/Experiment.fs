/// Training and recording experiments: task → data → trained models → results.json.
module Hnn.Experiment

open System
open System.IO
open Hnn.Data
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

/// How a run is carried out; `defaults` is the paper's recipe.
type Options =
    { /// Overrides the task's step count.
      Steps: int option
      /// Seed for data, initial weights and minibatches (paper: 0).
      Seed: int
      /// Torch intra-op threads (None: all cores).
      Threads: int option
      /// Output folder for results.json and models.
      OutDir: string
      /// Progress lines go here.
      Log: string -> unit }

/// The paper's recipe, writing to `results/`, logging to the console.
let defaults =
    { Steps = None; Seed = 0; Threads = None; OutDir = "results"; Log = printfn "%s" }

/// The training settings a task gets under these options.
let settingsFor (options: Options) (task: Task) =
    let t = task.Training
    TrainSettings(
        Steps = defaultArg options.Steps t.Steps,
        LearningRate = t.LearningRate,
        WeightDecay = t.WeightDecay,
        BatchSize = t.BatchSize,
        Seed = options.Seed,
        EvaluateTestEachStep = t.EvaluateTestEachStep,
        Threads = Option.toNullable options.Threads)
        .Validate()

let private progressLog (options: Options) (task: Task) (kind: ModelKind) =
    let every = 500
    { new IProgress<TrainingProgress> with
        member _.Report p =
            if p.Step % every = 0 || p.Step = p.TotalSteps then
                let perStep = p.Elapsed.TotalSeconds / float (p.Step + 1)
                let eta = TimeSpan.FromSeconds(perStep * float (p.TotalSteps - p.Step))
                options.Log(
                    sprintf "  %-10s %-8s step %5d/%d  train %s  test %s  %.1f ms/step  eta %s"
                        task.Key (modelKey kind) p.Step p.TotalSteps (Report.sci 4 p.TrainLoss) (Report.sci 4 p.TestLoss) (1000.0 * perStep) (eta.ToString @"mm\:ss")) }

/// Trains one model of `kind` on `data` with the task's architecture (MLP 200 hidden, tanh).
let train (options: Options) (task: Task) (data: Dataset) (kind: ModelKind) : Trained =
    Torch.init ()
    let settings = settingsFor options task
    let model = DynamicsModel.Create(ModelSettings(kind, task.Dimension), options.Seed)
    let result = Trainer.Train(model, data, settings, progressLog options task kind)
    { Task = task; Kind = kind; Model = model; Settings = settings; Result = result }

/// The results.json cells of a trained model (train and test loss).
let cells (t: Trained) =
    [ ResultsFile.Cell(t.Task.Key, modelKey t.Kind, "train_loss", t.Result.FinalTrain)
      ResultsFile.Cell(t.Task.Key, modelKey t.Kind, "test_loss", t.Result.FinalTest) ]

/// Saves a trained model as `OutDir/models/<task>-<model>.json` (+ `.weights`); returns the path.
let save (options: Options) (t: Trained) =
    let path = Path.Combine(options.OutDir, "models", sprintf "%s-%s.json" t.Task.Key (modelKey t.Kind))
    ModelFile.Save(t.Model, t.Task.Key, t.Settings, path) |> ignore
    path

/// Trains each model kind on the task's data (generated once), saving every model.
let runTask (options: Options) (task: Task) (kinds: ModelKind list) =
    Torch.init ()
    let data = task.Data options.Seed
    [ for kind in kinds do
        let trained = train options task data kind
        save options trained |> ignore
        trained ]

/// Merges the trained models' cells into OutDir/results.json with this run's metadata; returns its path.
let record (options: Options) (command: string) (started: DateTime) (trained: Trained list) =
    let steps = trained |> List.tryHead |> Option.map _.Settings.Steps |> Option.defaultValue 0
    let threads = trained |> List.tryHead |> Option.map _.Result.Threads |> Option.defaultValue Environment.ProcessorCount
    let run =
        ResultsFile.RunInfo(
            started.ToString("o"), options.Seed, steps, threads, (DateTime.UtcNow - started).TotalSeconds, command)
    ResultsFile.Merge(options.OutDir, trained |> List.collect cells, run)

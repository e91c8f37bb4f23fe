/// The paper's tasks as values: what data, which model sizes, how to train.
module Hnn.Tasks

open Hnn.Data
open Hnn.Models
open Hnn.Training

/// A task of the paper: a dataset recipe and the training recipe the paper used for it.
type Task =
    { /// Key used on the command line and in results.json, e.g. "spring".
      Key: string
      /// Human-readable name.
      Title: string
      /// State dimension.
      Dimension: int
      /// Builds the dataset (float64) for a seed.
      Data: int -> Dataset
      /// The paper's training settings.
      Training: TrainSettings }

/// Task 1: ideal mass-spring, H = q² + p², 50 noisy trajectories, full batch, 2000 steps, weight decay 1e-4.
let spring =
    { Key = "spring"
      Title = "Ideal mass-spring"
      Dimension = 2
      Data = fun seed -> SpringRecipe(Seed = seed).Generate()
      Training = TrainSettings(Steps = 2000, LearningRate = 1e-3, WeightDecay = 1e-4, BatchSize = System.Nullable()) }

/// Every task this build can run, in the paper's order.
let all = [ spring ]

/// The task with this key, or an error listing the known ones.
let tryFind (key: string) =
    match all |> List.tryFind (fun t -> t.Key = key) with
    | Some t -> Ok t
    | None -> Error(sprintf "unknown task '%s' (known: %s)" key (all |> List.map _.Key |> String.concat ", "))

/// The model kinds by their keys in results.json.
let modelKey (kind: ModelKind) =
    match kind with
    | ModelKind.Baseline -> "baseline"
    | ModelKind.Hnn -> "hnn"
    | other -> invalidArg (nameof kind) (sprintf "unknown model kind %A" other)

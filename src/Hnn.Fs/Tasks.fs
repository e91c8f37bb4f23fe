/// The paper's tasks as values: what system and data, how to train, how to evaluate.
module Hnn.Tasks

open System
open System.IO
open Hnn.Data
open Hnn.Models
open Hnn.Systems
open Hnn.Training

/// A task of the paper: a dataset recipe, the training recipe the paper used for it, and its energy protocol.
type Task =
    { /// Key used on the command line and in results.json, e.g. "spring".
      Key: string
      /// Human-readable name.
      Title: string
      /// State dimension.
      Dimension: int
      /// The true system (its energy is what the energy metrics compare).
      System: IHamiltonianSystem
      /// Builds the dataset (float64) for a seed; cached on disk by recipe (see `cacheFolder`).
      Data: int -> Dataset
      /// The paper's training settings.
      Training: TrainSettings
      /// The paper's energy protocol: starts, times and tolerances.
      Protocol: unit -> EnergyProtocol }

/// Where generated datasets are cached: $HNN_CACHE, else ~/.cache/hnn/datasets.
let cacheFolder () =
    match Environment.GetEnvironmentVariable "HNN_CACHE" with
    | null
    | "" -> Path.Combine(Environment.GetFolderPath Environment.SpecialFolder.UserProfile, ".cache", "hnn", "datasets")
    | folder -> folder

let private cached (generate: 'recipe -> Dataset) (recipe: 'recipe) =
    DatasetCache.GetOrCreate(cacheFolder (), recipe, Func<_, _>(generate))

/// The paper's Adam recipe. The test loss is logged every step on the small tasks, as the reference does;
/// on the orbit tasks (10 000 and 20 000 test rows) every 50 steps, which costs less than the training itself.
let private training steps weightDecay (batch: int option) =
    TrainSettings(
        Steps = steps, LearningRate = 1e-3, WeightDecay = weightDecay, BatchSize = Option.toNullable batch,
        TestEvery = (if batch.IsSome then 50 else 1))

/// Task 1: ideal mass-spring, H = q² + p², 50 noisy trajectories, full batch, 2000 steps, weight decay 1e-4.
let spring =
    { Key = "spring"
      Title = "Ideal mass-spring"
      Dimension = 2
      System = MassSpring()
      Data = fun seed -> SpringRecipe(Seed = seed).Generate()
      Training = training 2000 1e-4 None
      Protocol = fun () -> EnergyProtocol.Spring() }

/// Task 2: ideal pendulum, H = 3(1 − cos q) + p², 50 noisy trajectories, full batch, 2000 steps, weight decay 1e-4.
let pendulum =
    { Key = "pendulum"
      Title = "Ideal pendulum"
      Dimension = 2
      System = Pendulum.Ideal
      Data = fun seed -> cached (fun (r: PendulumRecipe) -> r.Generate()) (PendulumRecipe(Seed = seed))
      Training = training 2000 1e-4 None
      Protocol = fun () -> EnergyProtocol.Pendulum() }

/// Task 3 on measurements in Schmidt & Lipson's format read from `path` (None: the vendored
/// data/real_pend_h_1.txt, checked against its sha256). The file is parsed strictly: a malformed one
/// stops with its name, line and problem before anything is trained.
let realPendulumFrom (path: string option) =
    let recipe = RealPendulumRecipe(DataPath = Option.toObj path)
    { Key = "real-pendulum"
      Title = "Real pendulum (Schmidt & Lipson 2009)"
      Dimension = 2
      System = Pendulum.RealAnalysis
      Data = fun _ -> recipe.Generate()
      Training = training 2000 1e-5 None
      Protocol = fun () -> EnergyProtocol.RealPendulum(recipe) }

/// Task 3: Schmidt & Lipson's real pendulum, forward-difference targets, full batch, 2000 steps, weight decay 1e-5.
/// Energy: H = 2.4(1 − cos q) + p² along the measured test trajectory.
let realPendulum = realPendulumFrom None

/// Task 4: two bodies, 1000 orbits, minibatch 200, 10 000 steps, no weight decay.
let twoBody =
    { Key = "two-body"
      Title = "Two-body problem"
      Dimension = 8
      System = NBody.TwoBody
      Data = fun seed -> cached (fun (r: TwoBodyRecipe) -> r.Generate()) (TwoBodyRecipe(Seed = seed))
      Training = training 10000 0.0 (Some 200)
      Protocol = fun () -> EnergyProtocol.TwoBody() }

/// Task 4b: three bodies, 5000 orbits, minibatch 600, 10 000 steps, weight decay 1e-4.
let threeBody =
    { Key = "three-body"
      Title = "Three-body problem"
      Dimension = 12
      System = NBody.ThreeBody
      Data = fun seed -> cached (fun (r: ThreeBodyRecipe) -> r.Generate()) (ThreeBodyRecipe(Seed = seed))
      Training = training 10000 1e-4 (Some 600)
      Protocol = fun () -> EnergyProtocol.ThreeBody() }

/// Every numeric task, in the paper's order.
let all = [ spring; pendulum; realPendulum; twoBody; threeBody ]

/// Beyond the paper: the real pendulum with second-order difference targets. The paper's forward differences
/// estimate dx/dt half a sample (1/12 s) late, which for an oscillator reads as a friction of about 1/12 per second
/// that the pendulum does not have; centred differences remove that bias (Sosanya & Greydanus 2022 used them).
/// Same measurements, rows, split, training recipe and energy protocol as `realPendulum`.
let realPendulumCentral =
    let recipe = RealPendulumRecipe(Targets = Differences.Central)
    { realPendulum with
        Key = "real-pendulum-central"
        Title = "Real pendulum, centred-difference targets"
        Data = fun _ -> recipe.Generate()
        Protocol = fun () -> EnergyProtocol.RealPendulum(recipe) }

/// Beyond the paper: the spring task with friction −γ·p (γ = 0.2) on dp/dt, where a dissipative model's learned
/// damping can be checked against the true one. The spring's sizes, noise, training recipe and energy protocol.
let dampedSpring =
    let damping = 0.2
    let recipe = DampedSpringRecipe(Damping = damping)
    { Key = "damped-spring"
      Title = "Damped mass-spring (γ = 0.2)"
      Dimension = 2
      System = recipe.System
      Data = fun seed -> cached (fun (r: DampedSpringRecipe) -> r.Generate()) (DampedSpringRecipe(Damping = damping, Seed = seed))
      Training = training 2000 1e-4 None
      Protocol = fun () -> EnergyProtocol.DampedSpring(recipe.System) }

/// The tasks beyond the paper, run by the main job after the paper's.
let beyond = [ realPendulumCentral; dampedSpring ]

/// Every task with a key: the paper's, then those beyond it.
let every = all @ beyond

/// The task with this key, or an error listing the known ones.
let tryFind (key: string) =
    match every |> List.tryFind (fun t -> t.Key = key) with
    | Some t -> Ok t
    | None -> Error(sprintf "unknown task '%s' (known: %s)" key (every |> List.map _.Key |> String.concat ", "))

/// The model kinds in the order they are trained and reported.
let modelKinds = [ ModelKind.Baseline; ModelKind.Hnn; ModelKind.DissipativeHnn ]

/// The model kinds by their keys in results.json.
let modelKey (kind: ModelKind) =
    match kind with
    | ModelKind.Baseline -> "baseline"
    | ModelKind.Hnn -> "hnn"
    | ModelKind.DissipativeHnn -> "dissipative-hnn"
    | other -> invalidArg (nameof kind) (sprintf "unknown model kind %A" other)

/// The model kind with this results.json key, or an error listing the known ones.
let tryModelKind (key: string) =
    match modelKinds |> List.tryFind (fun k -> modelKey k = key) with
    | Some k -> Ok k
    | None -> Error(sprintf "unknown model '%s' (known: %s)" key (modelKinds |> List.map modelKey |> String.concat ", "))

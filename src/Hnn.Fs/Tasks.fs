/// The paper's tasks as values: what system and data, how to train, how to evaluate.
module Hnn.Tasks

open System
open System.IO
open Hnn.Data
open Hnn.Evaluation
open Hnn.Models
open Hnn.Systems
open Hnn.Training

/// How a task's trained models are evaluated.
type Evaluation =
    /// A true system's energy protocol (starts, times, tolerances; or the measured trajectory it carries), built when
    /// asked (it may read a file): energy MSE, rollout MSE, energy drift and loss rates.
    | Flow of protocol: (unit -> EnergyProtocol) * referencePaths: (EnergyProtocol -> float[])
    /// No known H: the measured held-out trajectories (by seed), each rolled out from its first state at its own
    /// times: rollout MSE only (energy metrics need an H and are left out, not estimated).
    | HeldOut of (int -> MeasuredTrajectory list)
    /// The task evaluates its models itself (the pixel pendulum's latent rollouts).
    | Own

/// Where a task comes from: what it takes to build it again.
type Source =
    /// Built into Hnn: the paper's tasks and those beyond it, found by key.
    | BuiltIn
    /// Sampled from a Hamiltonian composed in F# (Hnn.Pipeline), identified by its cache key.
    | Composed of cacheKey: string
    /// Trajectories read from a CSV file (Hnn.Trajectories), with the file's sha256 and the test fraction.
    | Csv of path: string * sha256: string * testFraction: float
    /// The pixel pendulum: frames of Gym's pendulum, its own data and objective.
    | Pixels

/// A task: everything a run needs, whatever the system's source — how to make or load the data (with their
/// timelines), the training recipe, how to evaluate, where the physics checks draw states, and the notes.
type Task =
    { /// Key used on the command line, in results.json and in the run folder's file names, e.g. "spring".
      Key: string
      /// Human-readable name.
      Title: string
      /// State dimension.
      Dimension: int
      /// The true system (its energy is what the energy metrics compare), if one is known.
      System: IHamiltonianSystem option
      /// Builds the dataset (float64, with timelines where the rows are trajectories) for a seed.
      Data: int -> Dataset
      /// The training settings (the paper's for its tasks).
      Training: TrainSettings
      /// How trained models are evaluated.
      Evaluation: Evaluation
      /// Where the physics checks draw states (None: the box [−1, 1]ᴰ).
      Domain: Domain option
      /// What a reader needs beside the task's numbers ("" if nothing).
      Note: string
      /// Where the task comes from.
      Source: Source }

    /// The paper's Table 1 row of this task, if the paper has one.
    member task.Paper = Paper.table |> Map.tryFind task.Key

    /// The energy protocol, if the task is evaluated on a system's flow.
    member task.Protocol =
        match task.Evaluation with
        | Flow(protocol, _) -> Some(protocol ())
        | _ -> None

/// Evaluation on a protocol's true flow, the reference paths integrated per path in float64 (Hnn.Evaluation).
let flow (protocol: unit -> EnergyProtocol) = Flow(protocol, TrajectoryEvaluation.ReferencePaths)

/// Where generated datasets are cached: $HNN_CACHE, else ~/.cache/hnn/datasets.
let cacheFolder () =
    match Environment.GetEnvironmentVariable "HNN_CACHE" with
    | null
    | "" -> Path.Combine(Environment.GetFolderPath Environment.SpecialFolder.UserProfile, ".cache", "hnn", "datasets")
    | folder -> folder

let private cached (generate: 'recipe -> Dataset) (recipe: 'recipe) =
    DatasetCache.GetOrCreate(cacheFolder (), recipe, Func<_, _>(generate))

/// The paper's Adam recipe: `steps` steps, learning rate 1e-3, this weight decay, full batch or minibatches. The test loss is logged every step on the small tasks, as the reference does;
/// on the orbit tasks (10 000 and 20 000 test rows) every 50 steps, which costs less than the training itself.
let training steps weightDecay (batch: int option) =
    TrainSettings(
        Steps = steps, LearningRate = 1e-3, WeightDecay = weightDecay, BatchSize = Option.toNullable batch,
        TestEvery = (if batch.IsSome then 50 else 1))

/// Task 1: ideal mass-spring, H = q² + p², 50 noisy trajectories, full batch, 2000 steps, weight decay 1e-4.
let spring =
    { Key = "spring"
      Title = "Ideal mass-spring"
      Dimension = 2
      System = Some(MassSpring())
      Data = fun seed -> SpringRecipe(Seed = seed).Generate()
      Training = training 2000 1e-4 None
      Evaluation = flow (fun () -> EnergyProtocol.Spring())
      Domain = Some(Domain.shell 2 0.2 1.0)
      Note = ""
      Source = BuiltIn }

/// Task 2: ideal pendulum, H = 3(1 − cos q) + p², 50 noisy trajectories, full batch, 2000 steps, weight decay 1e-4.
let pendulum =
    { Key = "pendulum"
      Title = "Ideal pendulum"
      Dimension = 2
      System = Some Pendulum.Ideal
      Data = fun seed -> cached (fun (r: PendulumRecipe) -> r.Generate()) (PendulumRecipe(Seed = seed))
      Training = training 2000 1e-4 None
      Evaluation = flow (fun () -> EnergyProtocol.Pendulum())
      Domain = Some(Domain.shell 2 1.3 2.3)
      Note = "energy compared with the pendulum's own H = 3(1 − cos q) + p² (the reference's analysis used q² + p²)."
      Source = BuiltIn }

/// Task 3 on measurements in Schmidt & Lipson's format read from `path` (None: the vendored
/// data/real_pend_h_1.txt, checked against its sha256). The file is parsed strictly: a malformed one
/// stops with its name, line and problem before anything is trained.
let realPendulumFrom (path: string option) =
    let recipe = RealPendulumRecipe(DataPath = Option.toObj path)
    { Key = "real-pendulum"
      Title = "Real pendulum (Schmidt & Lipson 2009)"
      Dimension = 2
      System = Some Pendulum.RealAnalysis
      Data = fun _ -> recipe.Generate()
      Training = training 2000 1e-5 None
      Evaluation = flow (fun () -> EnergyProtocol.RealPendulum(recipe))
      // The measured states lie at 0.78 ≤ |x| ≤ 1.48; a box around the origin would shrink failures to x₀ = 0,
      // where the relative measures divide by |x₀| = 0.
      Domain = Some(Domain.shell 2 0.75 1.5)
      Note = "energy H = 2.4(1 − cos q) + p² along the measured test trajectory, from its first state."
      Source = BuiltIn }

/// Task 3: Schmidt & Lipson's real pendulum, forward-difference targets, full batch, 2000 steps, weight decay 1e-5.
/// Energy: H = 2.4(1 − cos q) + p² along the measured test trajectory.
let realPendulum = realPendulumFrom None

/// Task 4: two bodies, 1000 orbits, minibatch 200, 10 000 steps, no weight decay.
let twoBody =
    { Key = "two-body"
      Title = "Two-body problem"
      Dimension = 8
      System = Some NBody.TwoBody
      Data = fun seed -> cached (fun (r: TwoBodyRecipe) -> r.Generate()) (TwoBodyRecipe(Seed = seed))
      Training = training 10000 0.0 (Some 200)
      Evaluation = flow (fun () -> EnergyProtocol.TwoBody())
      Domain = Some Domain.twoBody
      Note = ""
      Source = BuiltIn }

/// Task 4b: three bodies, 5000 orbits, minibatch 600, 10 000 steps, weight decay 1e-4.
let threeBody =
    { Key = "three-body"
      Title = "Three-body problem"
      Dimension = 12
      System = Some NBody.ThreeBody
      Data = fun seed -> cached (fun (r: ThreeBodyRecipe) -> r.Generate()) (ThreeBodyRecipe(Seed = seed))
      Training = training 10000 1e-4 (Some 600)
      Evaluation = flow (fun () -> EnergyProtocol.ThreeBody())
      Domain = None
      Note = "chaotic: expect a large spread."
      Source = BuiltIn }

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
        Evaluation = flow (fun () -> EnergyProtocol.RealPendulum(recipe))
        Note =
            "beyond the paper: the real pendulum's rows, split and protocol, with second-order (centred) difference targets instead of forward differences." }

/// Beyond the paper: the spring task with friction −γ·p (γ = 0.2) on dp/dt, where a dissipative model's learned
/// damping can be checked against the true one. The spring's sizes, noise, training recipe and energy protocol.
let dampedSpring =
    let damping = 0.2
    let recipe = DampedSpringRecipe(Damping = damping)
    { Key = "damped-spring"
      Title = "Damped mass-spring (γ = 0.2)"
      Dimension = 2
      System = Some recipe.System
      Data = fun seed -> cached (fun (r: DampedSpringRecipe) -> r.Generate()) (DampedSpringRecipe(Damping = damping, Seed = seed))
      Training = training 2000 1e-4 None
      Evaluation = flow (fun () -> EnergyProtocol.DampedSpring(recipe.System))
      Domain = Some(Domain.shell 2 0.2 1.0)
      Note =
          "beyond the paper: the spring with friction −0.2·p on dp/dt; a dissipative HNN's contraction_rate (−ΔD) should be 0.2, energy_loss_rate_true is the truth's."
      Source = BuiltIn }

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

/// The families beyond the HNN (issue 18), trained when asked for (`--model`, `--models`): the port-Hamiltonian
/// network, the Lagrangian network, and the two SympNets.
let familyKinds = [ ModelKind.PortHnn; ModelKind.Lnn; ModelKind.LaSympNet; ModelKind.GSympNet ]

/// Every kind the run path trains, in the order they are reported.
let trainableKinds = modelKinds @ familyKinds

/// The model kinds by their keys in results.json.
let modelKey (kind: ModelKind) =
    match kind with
    | ModelKind.Baseline -> "baseline"
    | ModelKind.Hnn -> "hnn"
    | ModelKind.DissipativeHnn -> "dissipative-hnn"
    | ModelKind.SampledHnn -> "sampled-hnn"
    | ModelKind.SampledDissipativeHnn -> "sampled-dissipative-hnn"
    | ModelKind.PortHnn -> "port-hnn"
    | ModelKind.Lnn -> "lnn"
    | ModelKind.LaSympNet -> "la-sympnet"
    | ModelKind.GSympNet -> "g-sympnet"
    | other -> invalidArg (nameof kind) (sprintf "unknown model kind %A" other)

/// The model kind with this results.json key, or an error listing the known ones.
let tryModelKind (key: string) =
    match trainableKinds |> List.tryFind (fun k -> modelKey k = key) with
    | Some k -> Ok k
    | None -> Error(sprintf "unknown model '%s' (known: %s)" key (trainableKinds |> List.map modelKey |> String.concat ", "))

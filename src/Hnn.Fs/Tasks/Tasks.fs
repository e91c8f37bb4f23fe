/// The paper's tasks as values: what system and data, how to train, how to evaluate.
module Hnn.Tasks

open System
open System.IO
open Hnn.Data
open Hnn.Evaluation
open Hnn.Models
open Hnn.Pixels
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
    /// The task evaluates its models itself (the pixel pendulum's latent rollouts, Hnn.Pixels.PixelEvaluation).
    | Own

/// Where a task comes from: what it takes to build it again.
type Source =
    /// Built into Hnn: the paper's tasks and those beyond it, found by key.
    | BuiltIn
    /// Sampled from a Hamiltonian composed in F# (Hnn.Pipeline), identified by its cache key.
    | Composed of cacheKey: string
    /// Trajectories read from a CSV file (Hnn.Trajectories), with the file's sha256 and the test fraction.
    | Csv of path: string * sha256: string * testFraction: float
    /// The pixel pendulum: frames of Gym's pendulum made by this recipe (its seed replaced by the run's), its own
    /// data and objective (an autoencoder and a latent field, Hnn.Pixels).
    | Pixels of PixelPendulumRecipe

/// A task: everything a run needs, whatever the system's source — how to make or load the data (with their
/// timelines), the training recipe, how to evaluate, where the physics checks draw states, and the notes.
type Task =
    {
        /// Key used on the command line, in results.json and in the run folder's file names, e.g. "spring".
        Key: string
        /// Human-readable name.
        Title: string
        /// State dimension.
        Dimension: int
        /// The true system (its energy is what the energy metrics compare), if one is known.
        System: IHamiltonianSystem option
        /// Builds the dataset (float64, with timelines where the rows are trajectories) for a seed. The pixel pendulum
        /// has no state rows: its frames come from its source's recipe (Hnn.PixelPendulum.data).
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
        Source: Source
    }

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

let private cached (generate: 'recipe -> Dataset) (recipe: 'recipe) = DatasetCache.GetOrCreate(cacheFolder (), recipe, Func<_, _>(generate))

/// The paper's Adam recipe: `steps` steps, learning rate 1e-3, this weight decay, full batch or minibatches. The test loss is logged every step on the small tasks, as the reference does;
/// on the orbit tasks (10 000 and 20 000 test rows) every 50 steps, which costs less than the training itself.
let training steps weightDecay (batch: int option) =
    TrainSettings(
        Steps = steps,
        LearningRate = 1e-3,
        WeightDecay = weightDecay,
        BatchSize = Option.toNullable batch,
        TestEvery = (if batch.IsSome then 50 else 1)
    )

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

/// Every numeric task with a key: the paper's, then those beyond it.
let every = all @ beyond

// ---- Benchmark systems beyond the paper: selectable with --tasks, not run by the main job ----

/// The benchmark systems' training: Adam, learning rate 1e-3, minibatches of 256, 10 000 steps, weight decay 1e-4.
let benchmarkTraining = training 10000 1e-4 (Some 256)

/// A benchmark task: data from `recipe` (its seed the run's; cached), trained with `benchmarkTraining`, evaluated on
/// the recipe's protocol (20 held-out starts from the same region, seed 1234, t ∈ [0, 20] at 201 points), the physics
/// checks drawing states from `domain`. The note states the data recipe and the protocol.
let private benchmark (key: string) (title: string) (recipe: BenchmarkRecipe) (domain: Domain) (remark: string) =
    let withSeed seed =
        BenchmarkRecipe(
            recipe.System,
            recipe.Starts,
            recipe.Description,
            recipe.Trajectories,
            recipe.Points,
            recipe.TimeSpan,
            recipe.NoiseStd,
            recipe.TestFraction,
            recipe.Rtol,
            recipe.Atol,
            seed
        )
    let protocol = recipe.Protocol key
    { Key = key
      Title = title
      Dimension = recipe.System.Dimension
      System = Some recipe.System
      Data = fun seed -> cached (fun (r: BenchmarkRecipe) -> r.Generate()) (withSeed seed)
      Training = benchmarkTraining
      Evaluation = flow (fun () -> recipe.Protocol key)
      Domain = Some domain
      Note =
        sprintf
            "benchmark system beyond the paper: %s. Data: %d trajectories × %d points on t ∈ [0, %g] (Dormand–Prince 5(4), rtol = atol = %g), noise σ = %g, the last %g %% of the trajectories test. Evaluation: %d held-out starts from the same region (seed 1234), t ∈ [0, %g] at %d points.%s"
            recipe.Description
            recipe.Trajectories
            recipe.Points
            recipe.TimeSpan
            recipe.Rtol
            recipe.NoiseStd
            (100.0 * recipe.TestFraction)
            protocol.InitialStates.Rows
            protocol.Times[protocol.Times.Length - 1]
            protocol.Times.Length
            (if remark = "" then "" else " " + remark)
      Source = BuiltIn }

/// The double pendulum (unit masses and lengths, g = 9.81; canonical (θ1, θ2, p1, p2); not separable): starts
/// θ ∈ [−1.5, 1.5]², p ∈ [−1, 1]² as the published HNN-vs-MLP double-pendulum replication draws them.
let doublePendulum =
    let lower, upper = [| -1.5; -1.5; -1.0; -1.0 |], [| 1.5; 1.5; 1.0; 1.0 |]
    benchmark
        "double-pendulum"
        "Double pendulum (unit masses and lengths)"
        (BenchmarkRecipe(
            DoublePendulum.Unit,
            BenchmarkStarts.Box(lower, upper),
            "double pendulum m1 = m2 = 1, l1 = l2 = 1, g = 9.81, canonical (θ1, θ2, p1, p2), starts θ uniform in [−1.5, 1.5]², p in [−1, 1]²"
        ))
        (Domain.box lower upper)
        "Not separable; chaotic at the higher energies of the box."

/// Hénon–Heiles (λ = 1) at energies E ∈ [0.04, 0.15]: regular orbits at the low end, chaotic ones filling much of
/// the energy surface above E ≈ 1/8, all bounded (escape at 1/6).
let henonHeiles =
    let system = HenonHeiles.Classic
    let eMin, eMax = 0.04, 0.15
    let pMax = sqrt (2.0 * eMax)
    benchmark
        "henon-heiles"
        "Hénon–Heiles (E ∈ [0.04, 0.15])"
        (BenchmarkRecipe(
            system,
            BenchmarkStarts.HenonHeilesShell(system, eMin, eMax),
            sprintf
                "Hénon–Heiles λ = 1, starts at energy E uniform in [%g, %g] (escape at 1/6), (x, y) uniform in [−0.5, 0.5]² below E, momentum direction uniform"
                eMin
                eMax
        ))
        (Domain.box [| -0.5; -0.5; -pMax; -pMax |] [| 0.5; 0.5; pMax; pMax |])
        "Orbits are mostly regular below E ≈ 1/12 and increasingly chaotic above ≈ 1/8."

/// Five coupled oscillators (unit masses, on-site springs k = 1, neighbour springs kc = 1, free ends), starts in
/// [−1, 1]¹⁰.
let chain =
    let system = OscillatorChain.Five
    let d = system.Dimension
    let lower, upper = Array.create d -1.0, Array.create d 1.0
    benchmark
        "chain"
        "Chain of five coupled oscillators"
        (BenchmarkRecipe(
            system,
            BenchmarkStarts.Box(lower, upper),
            "five unit masses, on-site springs k = 1, neighbour springs kc = 1, free ends, state (q1..q5, p1..p5), starts uniform in [−1, 1]¹⁰"
        ))
        (Domain.box lower upper)
        "Linear and separable: normal-mode frequencies √(1 + 4 sin²(jπ/10)), j = 0..4."

/// The elastic pendulum at the 2:1 resonance (m = l0 = 1, g = 9.81, k = 3g; polar (r, θ, p_r, p_θ); not
/// separable): starts r ∈ r* ± 0.2 (r* = 4/3 the hanging length), θ ∈ [−1, 1], p_r, p_θ ∈ [−1, 1].
let elasticPendulum =
    let system = ElasticPendulum.Resonant
    let r = system.EquilibriumLength
    let lower, upper = [| r - 0.2; -1.0; -1.0; -1.0 |], [| r + 0.2; 1.0; 1.0; 1.0 |]
    benchmark
        "elastic-pendulum"
        "Elastic pendulum (2:1 resonance)"
        (BenchmarkRecipe(
            system,
            BenchmarkStarts.Box(lower, upper),
            "elastic pendulum m = 1, rest length 1, g = 9.81, k = 3g (spring at twice the swing's frequency), polar (r, θ, p_r, p_θ), starts r in 4/3 ± 0.2, θ, p_r, p_θ uniform in [−1, 1]"
        ))
        (Domain.box lower upper)
        "Not separable; energy passes between stretching and swinging."

/// The benchmark systems beyond the paper, selectable with `--tasks` (the main job does not run them).
let benchmarks = [ doublePendulum; henonHeiles; chain; elasticPendulum ]

/// The conservative systems the benchmark suite runs every model on: the paper's spring, pendulum and two bodies,
/// then the benchmark systems.
let conservative = [ spring; pendulum; twoBody ] @ benchmarks

/// Task 5 on frames made by `recipe` (its seed replaced by the run's): pairs of 28×28 frames of Gym's pendulum, an
/// autoencoder to a 2-d latent (q, p) and a baseline or HNN field on it, trained together with the paper's objective
/// (Adam 1e-3, weight decay 1e-5, batch 200, 10 000 steps, a test minibatch logged every 100 steps); evaluated by
/// latent rollouts (Hnn.Pixels.PixelEvaluation). Baseline and HNN only.
let pixelPendulumFrom (recipe: PixelPendulumRecipe) =
    { Key = "pixel-pendulum"
      Title = "Pixel pendulum (frames of Gym's pendulum)"
      Dimension = 2
      System = None
      Data = fun _ -> raise (NotSupportedException "pixel-pendulum learns from frame pairs (PixelPendulum.data), not from state rows")
      Training = TrainSettings(Steps = 10000, LearningRate = 1e-3, WeightDecay = 1e-5, BatchSize = Nullable 200, TestEvery = 100)
      Evaluation = Own
      Domain = None
      Note =
        "an autoencoder's latent (q, p) from pairs of 28×28 frames; energies are the true pendulum's along latent rollouts mapped back to (θ, ω); rollout_mse is in pixels."
      Source = Pixels recipe }

/// Task 5 of the paper: the pixel pendulum, 200 trials of 103 frames.
let pixelPendulum = pixelPendulumFrom (PixelPendulumRecipe())

/// Every task the command line names, in the order the main job runs them: the numeric ones, then the pixel pendulum.
let keyed = every @ [ pixelPendulum ]

/// Every task with a key: the main job's (`keyed`), then the benchmark systems.
let known = keyed @ benchmarks

/// The task with this key, or an error listing the known ones.
let tryFind (key: string) =
    match known |> List.tryFind (fun t -> t.Key = key) with
    | Some t -> Ok t
    | None -> Error(sprintf "unknown task '%s' (known: %s)" key (known |> List.map _.Key |> String.concat ", "))

/// The model kinds in the order they are trained and reported: the paper's baseline and HNN, the dissipative HNN, and
/// their counterparts fitted by least squares without backpropagation (Hnn.Models.Sampled).
let modelKinds = [ ModelKind.Baseline; ModelKind.Hnn; ModelKind.DissipativeHnn; ModelKind.SampledHnn; ModelKind.SampledDissipativeHnn ]

/// The families beyond the HNN: the port-Hamiltonian network, the Lagrangian networks (Cranmer et al.'s LNN and the
/// deep Lagrangian network of mechanical form) and the two SympNets. Not in the
/// main job (the paper's models and their dissipative and sampled counterparts): trained when asked for (`--model`,
/// `--models`) and by the benchmark suite (scripts/suite.fsx, which runs `trainableKinds`).
let familyKinds = [ ModelKind.PortHnn; ModelKind.Lnn; ModelKind.Delan; ModelKind.LaSympNet; ModelKind.GSympNet ]

/// Every kind the run path trains or fits, in the order they are reported: the main job's, then the families. The
/// command line accepts these keys, and the benchmark suite runs every one of them.
let trainableKinds = modelKinds @ familyKinds

/// How a run trains, which a kind's recipe may depend on: on its whole training set at each step (`FullBatch`: a few
/// trajectories, noisy or measured, as the spring, the pendulums and a CSV by default) or on minibatches drawn from it
/// (`Minibatches`: thousands of noise-free pairs, as two-body, three-body and the benchmark systems). A run draws
/// minibatches where its batch size is below its number of training examples (`TrainSettings.DrawsMinibatches`, the
/// trainer's rule; `Experiment.regime`).
type Regime =
    | FullBatch
    | Minibatches

/// How a kind's training departs from its task's recipe (the paper's Adam recipe, `Task.Training`) in one regime; the
/// batch, seed and supervision stay the task's.
type RegimeChange =
    {
        /// Times the task's (first) learning rate.
        RateFactor: float
        /// The factor the learning rate falls by, exponentially, from the first step to the last (1: constant).
        RateDecay: float
        /// The task's weight decay (true) or none (false).
        KeepsWeightDecay: bool
    }

/// A kind's change of its task's recipe: its steps, times the task's in either regime (so a run's length is known
/// before its data are), and the rest per regime.
type KindRecipe =
    {
        /// Times the task's steps.
        StepFactor: int
        FullBatch: RegimeChange
        Minibatches: RegimeChange
    }

/// The LA-SympNet's (`recipe`): in either regime 10 times the task's steps from 10 times its learning rate, decaying
/// 100-fold, without weight decay (as Jin et al.'s SympNet examples).
let laSympNetRecipe =
    let change = { RateFactor = 10.0; RateDecay = 100.0; KeepsWeightDecay = false }
    { StepFactor = 10; FullBatch = change; Minibatches = change }

/// The G-SympNet's (`recipe`): the LA-SympNet's steps and rates, with the task's weight decay on full-batch tasks.
let gSympNetRecipe = { laSympNetRecipe with FullBatch = { laSympNetRecipe.FullBatch with KeepsWeightDecay = true } }

/// The LNN's (`recipe`): 3 times the task's steps, with its weight decay, from 10 times its learning rate, on
/// minibatches decaying 10-fold (so to the task's own rate at the last step), on full-batch tasks constant.
let lnnRecipe =
    let change = { RateFactor = 10.0; RateDecay = 1.0; KeepsWeightDecay = true }
    { StepFactor = 3; FullBatch = change; Minibatches = { change with RateDecay = 10.0 } }

/// The change of `kind`'s training from its task's recipe, if it has one: the SympNets' and the LNN's.
let recipeChange (kind: ModelKind) =
    match kind with
    | ModelKind.LaSympNet -> Some laSympNetRecipe
    | ModelKind.GSympNet -> Some gSympNetRecipe
    | ModelKind.Lnn -> Some lnnRecipe
    | _ -> None

/// The steps `kind` trains for on `task` at its recipe, whatever the regime.
let steps (task: Task) (kind: ModelKind) = task.Training.Steps * (recipeChange kind |> Option.map _.StepFactor |> Option.defaultValue 1)

/// The training recipe of `kind` on `task` in `regime`: the task's (the paper's Adam recipe), changed by `recipeChange`
/// for the SympNets and the LNN as the regime asks. The settings returned keep the task's batch; `Experiment.settingsFor`
/// sets the one trained with, and every option given still overrides. Measured at seed 0 over the suite's seven
/// systems (docs/model-families.md, "The families' recipe"). The SympNets: without weight decay and with the decay the
/// G-SympNet went from ahead of the baseline on no system to four (weight decay had held it at the identity map on
/// Hénon–Heiles); the longer, faster start then took its one-step test loss on the double pendulum from 2.8e-02 to
/// 3.5e-04 and put it ahead on six (the spring, where the one-step loss ends at the noise floor of its few noisy
/// trajectories either way, lost), the LA-SympNet on three; the longer run costs ten times the time (G-SympNet jobs of
/// 7–28 minutes on one thread, two at once, where an HNN's take 1–2). The task's weight decay back on the full-batch
/// tasks took the G-SympNet's valid prediction time on the spring from 0.44 to 2.45 and on the pendulum from 0.87 to
/// 1.22 (ahead on all seven); on minibatch tasks it still holds the map at the identity (Hénon–Heiles: energy error 0,
/// valid 0.11), and it holds the LA-SympNet's linear modules there on the pendulum (valid 5.71 → 0.15). The LNN
/// underfitted at the task's rate (test loss still falling at the last step): its start 10 times higher, decaying to
/// the task's rate, took its test loss on the double pendulum from 0.29 to 0.068 and on Hénon–Heiles from 3.7e-03 to
/// 6.6e-04, its valid prediction time up on five systems of seven, and put it ahead of the baseline on three (the double
/// pendulum gained) instead of two, at the task's steps and time. On the full-batch tasks
/// the decay broke the fit on one seed of three (the spring at seed 1: test loss 1.08, valid prediction time 0.10), and
/// a constant rate fits better (pendulum test loss 0.096 against 0.131, mean of seeds 0–2) and never broke down; at a
/// constant 10 times the rate the LNN is ahead of the baseline on both metrics on the spring and the pendulum at seed 0.
/// Three times the task's steps then took its test loss on Hénon–Heiles from 6.6e-04 to 1.9e-05 and put it ahead on
/// six systems of seven (Hénon–Heiles and the elastic pendulum gained; on two-body its learned forces still let the
/// total momentum drift), and on the spring and the pendulum at seeds 0–2 alike.
let recipe (regime: Regime) (task: Task) (kind: ModelKind) =
    let t = task.Training
    match recipeChange kind with
    | None -> t
    | Some kindRecipe ->
        let change =
            match regime with
            | FullBatch -> kindRecipe.FullBatch
            | Minibatches -> kindRecipe.Minibatches
        t.Overriding(
            steps = steps task kind,
            learningRate = t.LearningRate * change.RateFactor,
            weightDecay = (if change.KeepsWeightDecay then t.WeightDecay else 0.0),
            learningRateDecay = change.RateDecay
        )

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
    | ModelKind.Delan -> "delan"
    | ModelKind.LaSympNet -> "la-sympnet"
    | ModelKind.GSympNet -> "g-sympnet"
    | other -> invalidArg (nameof kind) (sprintf "unknown model kind %A" other)

/// The model kinds by the name figures, tables and physics checks print, e.g. "Dissipative HNN".
let modelTitle (kind: ModelKind) =
    match kind with
    | ModelKind.Baseline -> "Baseline"
    | ModelKind.Hnn -> "HNN"
    | ModelKind.DissipativeHnn -> "Dissipative HNN"
    | ModelKind.SampledHnn -> "Sampled HNN"
    | ModelKind.SampledDissipativeHnn -> "Sampled dissipative HNN"
    | ModelKind.PortHnn -> "Port-Hamiltonian NN"
    | ModelKind.Lnn -> "LNN"
    | ModelKind.Delan -> "DeLaN"
    | ModelKind.LaSympNet -> "LA-SympNet"
    | ModelKind.GSympNet -> "G-SympNet"
    | other -> invalidArg (nameof kind) (sprintf "unknown model kind %A" other)

/// The model kind with this results.json key, or an error listing the known ones.
let tryModelKind (key: string) =
    match trainableKinds |> List.tryFind (fun k -> modelKey k = key) with
    | Some k -> Ok k
    | None -> Error(sprintf "unknown model '%s' (known: %s)" key (trainableKinds |> List.map modelKey |> String.concat ", "))

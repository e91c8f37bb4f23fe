/// From a Hamiltonian to a report in composable steps, over the one run path:
/// `h |> Pipeline.task key recipe protocol training |> Pipeline.run options |> Pipeline.report`. The task samples its
/// data with `recipe` (cached, with timelines), `run` trains every model kind (checkpointed, resumable), evaluates them
/// on the true flow with `protocol`, and records results.json, models, artifacts and an HTML report like any task's.
/// `sample` gives the data alone.
module Hnn.Pipeline

open System
open Hnn.Data
open Hnn.Evaluation
open Hnn.Integrators
open Hnn.Models
open Hnn.Tasks
open Hnn.Training

/// How start states are drawn (seeded, float64).
type Starts =
    /// A uniform point of [−1, 1]^2n rescaled to a radius r ~ U(min, max) (the paper's spring and pendulum recipe).
    | Radius of min: float * max: float
    /// Every coordinate uniform in [low, high].
    | Box of low: float * high: float
    /// Every coordinate uniform in [−high, −low] ∪ [low, high] (the paper's energy-protocol starts for (0.2, 1)).
    | AwayFromZero of low: float * high: float
    /// These states, one array of 2n numbers each (cycled if more are asked for).
    | States of float[] list

/// How trajectories are integrated (both Dormand–Prince 5(4) in float64 at the recipe's tolerances).
type Solver =
    /// All trajectories in one batch with one step size (Hnn.Integrators.TensorOde.Solve): one torch call per
    /// stage for the whole batch, the fast choice for autograd fields.
    | Batched
    /// Each trajectory with its own steps (Hnn.Integrators.Ode.Solve through ComposedSystem, sequential):
    /// one torch call per state and stage, ~50× slower for autograd fields.
    | PerTrajectory

/// A sampling recipe: how many trajectories, how long, from where, how noisy, how split.
type Recipe =
    {
        /// Number of trajectories.
        Trajectories: int
        /// Samples per trajectory over [0, TimeSpan], both ends included.
        Points: int
        /// End time.
        TimeSpan: float
        /// Start-state sampler.
        Starts: Starts
        /// Gaussian noise σ added to the states (inputs), not to the targets.
        NoiseStd: float
        /// Fraction of trajectories, taken last, used for testing.
        TestFraction: float
        /// Random seed.
        Seed: int
        /// Relative tolerance of the integration.
        Rtol: float
        /// Absolute tolerance of the integration.
        Atol: float
        /// How to integrate.
        Solver: Solver
    }

/// The paper's spring recipe: 50 trajectories of 30 points over [0, 3], radius U(0.1, 1), σ = 0.1, half test, seed 0.
let recipe =
    { Trajectories = 50
      Points = 30
      TimeSpan = 3.0
      Starts = Radius(0.1, 1.0)
      NoiseStd = 0.1
      TestFraction = 0.5
      Seed = 0
      Rtol = 1e-10
      Atol = 1e-10
      Solver = Batched }

/// A system with the data sampled from it.
type Sampled =
    {
        /// The system sampled.
        System: Hamiltonian
        /// How.
        Recipe: Recipe
        /// States (noisy) and exact targets, split by trajectory.
        Dataset: Dataset
    }

/// Draws `count` start states of dimension `dim`.
let drawStarts (starts: Starts) (dim: int) (count: int) (seed: int) : float[] =
    let rng = Sampling seed
    let x = Array.zeroCreate (count * dim)
    for k in 0 .. count - 1 do
        let row = x.AsSpan(k * dim, dim)
        match starts with
        | Radius(rmin, rmax) ->
            for j in 0 .. dim - 1 do
                row[j] <- rng.Uniform() * 2.0 - 1.0
            let r = rng.Uniform(rmin, rmax)
            let mutable norm = 0.0
            for j in 0 .. dim - 1 do
                norm <- norm + row[j] * row[j]
            let s = r / Math.Sqrt norm
            for j in 0 .. dim - 1 do
                row[j] <- row[j] * s
        | Box(low, high) ->
            for j in 0 .. dim - 1 do
                row[j] <- rng.Uniform(low, high)
        | AwayFromZero(low, high) ->
            for j in 0 .. dim - 1 do
                let u = rng.Uniform(-(high - low), high - low)
                row[j] <- u + (if u >= 0.0 then low else -low)
        | States states ->
            if states.IsEmpty then
                invalidArg (nameof starts) "no start states given"
            let s = states[k % states.Length]
            if s.Length <> dim then
                invalidArg (nameof starts) (sprintf "start state %d has %d numbers, expected %d" k s.Length dim)
            s.AsSpan().CopyTo row
    x

/// Integrates `count` starts (row-major [count, 2n]) to `times` (from times[0]); row-major [count, T, 2n].
let integrate (solver: Solver) (rtol: float) (atol: float) (system: Hamiltonian) (starts: float[]) (times: float[]) : float[] =
    let d = system.Dimension
    let count = starts.Length / d
    match solver with
    | Batched -> Hamiltonian.flow rtol atol system starts times
    | PerTrajectory ->
        let field = (ComposedSystem system).BatchField
        Ode.Solve(field, starts, count, d, times[0], ReadOnlySpan times, AdaptiveSettings(rtol, atol, Parallel = false))

/// Samples a dataset from a system: integrates every start (float64), takes the exact field at the clean
/// states as targets, adds noise to the states, splits by trajectory (first ones train); keeps the timelines.
let sample (recipe: Recipe) (system: Hamiltonian) : Sampled =
    if recipe.Trajectories < 2 then
        invalidArg (nameof recipe) (sprintf "need at least 2 trajectories, got %d" recipe.Trajectories)
    if recipe.Points < 2 then
        invalidArg (nameof recipe) (sprintf "need at least 2 points per trajectory, got %d" recipe.Points)
    if not (recipe.TestFraction > 0.0 && recipe.TestFraction < 1.0) then
        invalidArg (nameof recipe) (sprintf "test fraction must be in (0, 1), got %g" recipe.TestFraction)
    if not (recipe.NoiseStd >= 0.0) then
        invalidArg (nameof recipe) (sprintf "noise must be zero or positive, got %g" recipe.NoiseStd)
    Torch.init ()
    let d = system.Dimension
    let starts = drawStarts recipe.Starts d recipe.Trajectories recipe.Seed
    let times = Sampling.Linspace(0.0, recipe.TimeSpan, recipe.Points)
    let x = integrate recipe.Solver recipe.Rtol recipe.Atol system starts times
    let rows = recipe.Trajectories * recipe.Points
    let dx = Array.zeroCreate x.Length
    (Hamiltonian.batchField system).Invoke(0.0, ReadOnlySpan x, Span dx, rows)
    let noise = Sampling(recipe.Seed + 1)
    for i in 0 .. x.Length - 1 do
        x[i] <- x[i] + recipe.NoiseStd * noise.Normal()
    let testTrajectories = max 1 (min (recipe.Trajectories - 1) (int (Math.Round(float recipe.Trajectories * recipe.TestFraction))))
    let trainRows = (recipe.Trajectories - testTrajectories) * recipe.Points
    let all, allDx = StateMatrix(x, rows, d), StateMatrix(dx, rows, d)
    let timeline = Timeline.Regular(recipe.Trajectories, times)
    let data =
        Dataset(
            system.Name,
            all.Slice(0, trainRows),
            allDx.Slice(0, trainRows),
            all.Slice(trainRows, rows - trainRows),
            allDx.Slice(trainRows, rows - trainRows),
            timeline.Slice(0, trainRows),
            timeline.Slice(trainRows, rows - trainRows)
        )
    { System = system; Recipe = recipe; Dataset = data }

/// What identifies a sampled dataset in the cache: the system's name, size and parameters, and the recipe.
/// H itself is a function and cannot be hashed: rename a system when its formula changes.
type CacheKey =
    {
        /// The system's name.
        System: string
        /// Its degrees of freedom.
        DegreesOfFreedom: int
        /// Its parameters, printed.
        Parameters: string
        /// The recipe, printed.
        Recipe: string
    }

let private exact (x: float) = x.ToString("R", Globalization.CultureInfo.InvariantCulture)

/// The cache key of a system and recipe, every number written in full (round-trip format).
let cacheKey (recipe: Recipe) (system: Hamiltonian) : CacheKey =
    let starts =
        match recipe.Starts with
        | Radius(a, b) -> sprintf "radius %s %s" (exact a) (exact b)
        | Box(a, b) -> sprintf "box %s %s" (exact a) (exact b)
        | AwayFromZero(a, b) -> sprintf "away-from-zero %s %s" (exact a) (exact b)
        | States states -> "states " + String.Join(" ; ", states |> List.map (fun s -> String.Join(" ", Array.map exact s)))
    { System = system.Name
      DegreesOfFreedom = system.DegreesOfFreedom
      Parameters = String.Join(", ", system.Parameters |> Map.toList |> List.map (fun (k, v) -> k + " = " + exact v))
      Recipe =
        sprintf
            "trajectories %d, points %d, time %s, starts %s, noise %s, test %s, seed %d, rtol %s, atol %s, solver %A"
            recipe.Trajectories
            recipe.Points
            (exact recipe.TimeSpan)
            starts
            (exact recipe.NoiseStd)
            (exact recipe.TestFraction)
            recipe.Seed
            (exact recipe.Rtol)
            (exact recipe.Atol)
            recipe.Solver }

/// `sample`, kept in `folder` (Hnn.Data.DatasetCache: checksummed, rebuilt if corrupt) under `cacheKey`.
let sampleCached (folder: string) (recipe: Recipe) (system: Hamiltonian) : Sampled =
    let key = cacheKey recipe system
    let data = DatasetCache.GetOrCreate(folder, key, fun _ -> (sample recipe system).Dataset)
    { System = system; Recipe = recipe; Dataset = data }

/// An evaluation protocol: starts, horizon and tolerance of the energy comparison.
type Protocol =
    {
        /// Number of starting states.
        Count: int
        /// Horizon [0, TimeSpan].
        TimeSpan: float
        /// Evaluation times over the horizon, both ends included.
        Points: int
        /// Start-state sampler.
        Starts: Starts
        /// Random seed of the starts.
        Seed: int
        /// Relative tolerance of both integrations.
        Rtol: float
        /// Absolute tolerance of both integrations.
        Atol: float
    }

/// The paper's energy protocol: 15 starts in ±[0.2, 1], t ∈ [0, 20] at 100 points (here rtol = atol = 1e-9).
let protocol = { Count = 15; TimeSpan = 20.0; Points = 100; Starts = AwayFromZero(0.2, 1.0); Seed = 0; Rtol = 1e-9; Atol = 1e-9 }

/// The core's EnergyProtocol for a system.
let energyProtocol (protocol: Protocol) (system: Hamiltonian) =
    let d = system.Dimension
    let starts = drawStarts protocol.Starts d protocol.Count protocol.Seed
    EnergyProtocol(
        system.Name,
        ComposedSystem system,
        StateMatrix(starts, protocol.Count, d),
        Sampling.Linspace(0.0, protocol.TimeSpan, protocol.Points),
        protocol.Rtol,
        protocol.Atol
    )

/// The paper's small-system training: 2000 full-batch Adam steps, learning rate 1e-3, weight decay 1e-4.
let training = Tasks.training 2000 1e-4 None

/// A Hamiltonian composed in F# as a task like the paper's, keyed `key`: data sampled with `recipe` (the run's seed
/// replaces the recipe's; cached in `Tasks.cacheFolder`, with timelines), trained with `training`, evaluated on its
/// true flow with `protocol` (reference paths integrated in one batch); physics checks draw states from the box the
/// protocol's starts span.
let task (key: string) (recipe: Recipe) (protocol: Protocol) (training: TrainSettings) (hamiltonian: Hamiltonian) : Task =
    let reference (p: EnergyProtocol) = integrate Batched p.Rtol p.Atol hamiltonian p.InitialStates.Values p.Times
    let d = hamiltonian.Dimension
    let extent =
        match protocol.Starts with
        | Radius(_, high)
        | Box(_, high)
        | AwayFromZero(_, high) -> abs high
        | States states -> states |> List.collect (Array.map abs >> List.ofArray) |> List.fold max 1e-3
    let cache = cacheKey recipe hamiltonian
    { Key = key
      Title = hamiltonian.Name
      Dimension = d
      System = Some(ComposedSystem hamiltonian)
      Data = fun seed -> (sampleCached (cacheFolder ()) { recipe with Seed = seed } hamiltonian).Dataset
      Training = training
      Evaluation = Flow((fun () -> energyProtocol protocol hamiltonian), reference)
      Domain = Some(Domain.box (Array.create d -extent) (Array.create d extent))
      Note = sprintf "composed in F#: %s." (string hamiltonian)
      Source = Composed(sprintf "%s; %s; %s" cache.System cache.Parameters cache.Recipe) }

/// Runs a task (of any source) on the run path with these model kinds: each trained (checkpointed, resumable with
/// the options' Resume), evaluated as the task says, recorded in the options' run folder (results.json, results.md,
/// models, artifacts) with its HTML report. Recorded as run by this process's command line.
let runWith (kinds: ModelKind list) (options: Experiment.Options) (task: Task) : Experiment.Run =
    let command = sprintf "Hnn.Pipeline (%s)" (String.Join(" ", Environment.GetCommandLineArgs() |> Array.skip 1))
    Experiment.run options command task kinds

/// `runWith` the main job's model kinds (`Tasks.modelKinds`: baseline, HNN, dissipative HNN, …; the families beyond
/// the HNN with `runWith Tasks.familyKinds`).
let run (options: Experiment.Options) (task: Task) : Experiment.Run = runWith Tasks.modelKinds options task

/// A plain-text table of a run: every metric of every model, beside the paper's where it has the task.
let report (run: Experiment.Run) = TextTable.table run.Task.Key (run.Models |> List.collect Experiment.cells)

/// The tables of several runs, one after another under their tasks' titles.
let reportAll (runs: Experiment.Run list) =
    runs |> List.map (fun r -> sprintf "%s (%s)\n%s" r.Task.Title r.Task.Key (report r)) |> String.concat "\n\n"

/// Benchmarks of the sampled HNN (Rahma, Datar & Dietrich 2024; Hnn.Models.Sampled) against our Adam-trained HNN,
/// side by side in one run at one thread count: the fit's time against Adam's training time, and both models' test
/// loss, energy MSE and relative field error on the test states, with the targets of the issue judged. The rows are
/// kept in the bench's results.json under "sampled", apart from the other figures (`hnn bench --only sampled`).
module Hnn.SampledBench

open System
open System.IO
open System.Text.Json
open System.Text.Json.Nodes
open Hnn.Data
open Hnn.Models
open Hnn.Models.Sampled
open Hnn.Training
open TorchSharp

/// One comparison: a task, the Adam-trained kind and its sampled counterpart, and which targets it judges.
type Row =
    { /// Names the row's figures, e.g. "mass-spring".
      Name: string
      /// The task: its data (seed 0), its Adam recipe and its energy protocol.
      Task: Tasks.Task
      /// The Adam-trained kind: the HNN, or the dissipative HNN on the real pendulum.
      Trained: ModelKind
      /// The fit's settings (kind, and a state cap where the fit does not need every state).
      Sampling: SampledSettings
      /// Judge "fit ≥ 100× faster than Adam trains, with an energy MSE no higher".
      SpeedAndEnergy: bool
      /// Judge "relative field MSE on the test states ≥ 100× below the Adam HNN's".
      FieldError: bool }

/// Hénon–Heiles, H = |p|²/2 + (x² + y²)/2 + x²y − y³/3, as a composed task with scripts/compose.fsx's paper-like
/// recipe: 50 trajectories × 30 points on [0, 3] (half test), starts at phase-space radius U(0.1, 0.5), input noise
/// `noise` (compose.fsx: 0.05; 0 is Rahma et al.'s setting); the paper's small-system Adam recipe (2000 full-batch
/// steps, weight decay 1e-4); energy protocol of 15 starts from the same radii over t ∈ [0, 20].
let henonHeiles (noise: float) =
    let recipe = { Pipeline.recipe with Trajectories = 50; Points = 30; TimeSpan = 3.0; Starts = Pipeline.Radius(0.1, 0.5); NoiseStd = noise }
    let key = if noise = 0.0 then "henon-heiles-noise-free" else "henon-heiles"
    TaskSources.ofHamiltonian key (Hamiltonians.henonHeiles 1.0) recipe { Pipeline.protocol with Starts = Pipeline.Radius(0.1, 0.5) }
        (Tasks.training 2000 1e-4 None)

/// Training states the fit draws on the orbit tasks (of 40 000 and 80 000): measured on two-body, the test loss at 5 000
/// states is within 10 % of that at 20 000 for a quarter of the fit's time; three-body needs more.
let twoBodyStates, threeBodyStates = 5_000, 20_000

/// The rows: mass-spring, ideal pendulum and Hénon–Heiles (σ 0.05) judged for speed and energy; noise-free
/// Hénon–Heiles judged for the field error; the real pendulum on centred targets (sampled dissipative HNN against
/// the dissipative HNN), two-body and three-body reported.
let rows () =
    let sampled = SampledSettings(Kind = ModelKind.SampledHnn)
    let row name task speed field =
        { Name = name; Task = task; Trained = ModelKind.Hnn; Sampling = sampled; SpeedAndEnergy = speed; FieldError = field }
    [ row "mass-spring" Tasks.spring true false
      row "ideal pendulum" Tasks.pendulum true false
      row "Hénon–Heiles σ 0.05" (henonHeiles 0.05) true false
      row "Hénon–Heiles noise-free" (henonHeiles 0.0) false true
      { row "real pendulum, centred" Tasks.realPendulumCentral false false with
          Trained = ModelKind.DissipativeHnn
          Sampling = SampledSettings(Kind = ModelKind.SampledDissipativeHnn) }
      { row "two-body" Tasks.twoBody false false with Sampling = SampledSettings(MaxStates = twoBodyStates) }
      { row "three-body" Tasks.threeBody false false with Sampling = SampledSettings(MaxStates = threeBodyStates) } ]

/// Σ|f(x) − ẋ|² / Σ|ẋ|² of a model on the test split: float32 states for a trained network (as it was trained),
/// float64 for a sampled one.
let relativeFieldMse (model: DynamicsModel) (data: Dataset) =
    use _ = torch.NewDisposeScope()
    let dtype = if model :? SampledHnn then torch.ScalarType.Float64 else torch.ScalarType.Float32
    let f = model.TimeDerivative(data.TestX.ToTensor dtype, false).``to``(torch.ScalarType.Float64)
    let y = data.TestDx.ToTensor torch.ScalarType.Float64
    ((f - y).square().sum() / y.square().sum()).item<float>()

let private median (xs: float list) = (List.sort xs)[xs.Length / 2]

/// What one row measured.
type Measured =
    { Row: Row
      /// Adam's training loop (no test loss logged), seconds.
      TrainSeconds: float
      /// Adam's steps.
      Steps: int
      /// The fit's median wall time over `fits` identical fits, seconds.
      FitSeconds: float
      Fits: int
      /// What the (first) fit chose and measured.
      Report: SampledFitReport
      /// Adam's and the sampled model's evaluation: test loss, energy MSE (None if the flow could not be integrated).
      Adam: Experiment.Evaluated
      Sampled: Experiment.Evaluated
      /// Relative field MSE on the test states: Adam's, the sampled model's.
      AdamField: float
      SampledField: float }

/// Trains the Adam model with the task's recipe (seed 0; no per-step test loss, so the loop is pure training; with
/// `quick` a twentieth of the steps), fits the sampled model `fits` times (same seed, identical models: the median
/// time), and evaluates both with the task's energy protocol.
let measure (quick: bool) (fits: int) (log: string -> unit) (row: Row) : Measured =
    Torch.init ()
    let task = row.Task
    let data = task.Data 0
    let recipe = task.Training
    let steps = if quick then max 20 (recipe.Steps / 20) else recipe.Steps
    let settings =
        TrainSettings(Steps = steps, LearningRate = recipe.LearningRate, WeightDecay = recipe.WeightDecay, BatchSize = recipe.BatchSize, TestEvery = 0)
            .Validate()
    log (sprintf "  %s: Adam %s, %d steps ..." row.Name (Tasks.modelKey row.Trained) steps)
    let adam = DynamicsModel.Create(ModelSettings(row.Trained, task.Dimension), 0)
    let trained = Trainer.Train(adam, data, settings)
    log (sprintf "  %s: sampled fit (%d×) ..." row.Name fits)
    let results = [ for _ in 1..fits -> SampledFit.Fit(data, row.Sampling, 0) ]
    let fit = results.Head
    for r in results.Tail do r.Model.Dispose()
    let fitSeconds = median [ for r in results -> r.Report.Seconds ]
    log (sprintf "  %s: %O" row.Name fit.Report)
    let sampledModel = fit.Model :> DynamicsModel
    let sampledResult =
        TrainingResult([||], [||], Trainer.FinalLoss(sampledModel, data.TrainX, data.TrainDx), Trainer.FinalLoss(sampledModel, data.TestX, data.TestDx),
            fitSeconds, torch.get_num_threads ())
    let asTrained kind model result : Experiment.Trained = { Task = task; Kind = kind; Model = model; Settings = settings; Result = result }
    let evaluated =
        Experiment.evaluate { Experiment.defaults with Log = log }
            [ asTrained row.Trained adam trained; asTrained row.Sampling.Kind sampledModel sampledResult ]
    { Row = row; TrainSeconds = trained.Seconds; Steps = steps; FitSeconds = fitSeconds; Fits = fits; Report = fit.Report
      Adam = evaluated[0]; Sampled = evaluated[1]
      AdamField = relativeFieldMse adam data; SampledField = relativeFieldMse sampledModel data }

let private figure name value unit note : Bench.Figure =
    { Name = "sampled: " + name; Value = value; Unit = unit; Threads = torch.get_num_threads (); Note = note }

let private energy (e: Experiment.Evaluated) = e.Metrics |> Option.map _.EnergyMse.Mean |> Option.defaultValue nan

/// The figures of one measured row.
let figures (m: Measured) : Bench.Figure list =
    let r = m.Row
    let adam, sampled = Tasks.modelKey r.Trained, Tasks.modelKey r.Sampling.Kind
    let batch =
        match r.Task.Training.BatchSize |> Option.ofNullable with
        | Some b -> sprintf "minibatch %d" b
        | None -> "full batch"
    [ figure (sprintf "%s: %s training (Adam)" r.Name adam) m.TrainSeconds "s" (sprintf "%d steps, %s, no test loss logged" m.Steps batch)
      figure (sprintf "%s: %s fit" r.Name sampled) m.FitSeconds "s" (sprintf "median of %d fits; %O" m.Fits m.Report)
      figure (sprintf "%s: training / fit time" r.Name) (m.TrainSeconds / m.FitSeconds) "×" ""
      for e, key in [ m.Adam, adam; m.Sampled, sampled ] do
          figure (sprintf "%s: %s test loss" r.Name key) e.Trained.Result.FinalTest.Mean "" "the paper's loss: MSE of dx/dt on the test split"
          figure (sprintf "%s: %s energy MSE" r.Name key) (energy e) "" "true energy along the true and the model's paths of the task's protocol"
          figure (sprintf "%s: %s evaluation" r.Name key) e.EvaluationSeconds "s" "the energy protocol's model paths (float64, adaptive)"
      figure (sprintf "%s: %s relative field MSE" r.Name adam) m.AdamField "" "Σ|f − ẋ|² / Σ|ẋ|² on the test states (float32, as trained)"
      figure (sprintf "%s: %s relative field MSE" r.Name sampled) m.SampledField "" "on the test states (float64)" ]

/// The targets a row judges (none with `quick`: a shortened Adam run would flatter the ratios).
let targets (quick: bool) (m: Measured) : Bench.Target list =
    let r = m.Row
    if quick then []
    else
        [ if r.SpeedAndEnergy then
              let speedup = m.TrainSeconds / m.FitSeconds
              yield { Target = sprintf "%s: sampled HNN fits ≥ 100× faster than the Adam HNN trains" r.Name
                      Measured = sprintf "%.0f× (%.2f s vs %.1f s)" speedup m.FitSeconds m.TrainSeconds
                      Reached = speedup >= 100.0 }
              let a, s = energy m.Adam, energy m.Sampled
              yield { Target = sprintf "%s: sampled HNN's energy MSE ≤ the Adam HNN's" r.Name
                      Measured = sprintf "%s vs %s" (Format.sci 3 s) (Format.sci 3 a)
                      Reached = s <= a }
          if r.FieldError then
              let ratio = m.AdamField / m.SampledField
              yield { Target = sprintf "%s: sampled HNN's relative field MSE on held-out states ≥ 100× below the Adam HNN's" r.Name
                      Measured = sprintf "%.0f× below (%s vs %s)" ratio (Format.sci 2 m.SampledField) (Format.sci 2 m.AdamField)
                      Reached = ratio >= 100.0 } ]

/// Writes the rows into `outDir`/results.json under "sampled", keeping whatever else the file holds; returns its path.
let write (outDir: string) (quick: bool) (loadBefore: float) (figures: Bench.Figure list) (targets: Bench.Target list) =
    let path = Path.Combine(outDir, "results.json")
    let document =
        match (if File.Exists path then JsonNode.Parse(File.ReadAllText path) else null) with
        | :? JsonObject as existing -> existing
        | _ -> JsonObject()
    let section =
        {| Threads = torch.get_num_threads ()
           Cores = Environment.ProcessorCount
           LoadAverageBefore = loadBefore
           LoadAverageAfter = Bench.loadAverage ()
           Quick = quick
           Figures = figures
           Targets = targets |}
    document["sampled"] <- JsonSerializer.SerializeToNode(section, IO.Json.Options)
    Directory.CreateDirectory outDir |> ignore
    IO.AtomicFile.WriteAllText(path, document.ToJsonString(IO.Json.Options))
    path

/// Measures every row, prints the figures and the targets, and writes them (`write`); returns
/// the figures, the targets and the path.
let run (outDir: string) (quick: bool) (log: string -> unit) =
    let loadBefore = Bench.loadAverage ()
    log (sprintf "sampled HNN against the Adam HNN: threads %d, cores %d, load average %.2f" (torch.get_num_threads ()) Environment.ProcessorCount loadBefore)
    let measured = [ for row in rows () -> measure quick 3 log row ]
    let figures = measured |> List.collect figures
    for f in figures do
        log (sprintf "%-72s %10.3g %-3s %2d thr  %s" f.Name f.Value f.Unit f.Threads f.Note)
    let reached = measured |> List.collect (targets quick)
    log ""
    for t in reached do
        log (sprintf "%-100s %-34s %s" t.Target t.Measured (if t.Reached then "reached" else "NOT reached"))
    for m in measured do
        for e in [ m.Adam; m.Sampled ] do e.Trained.Model.Dispose()
    figures, reached, write outDir quick loadBefore figures reached

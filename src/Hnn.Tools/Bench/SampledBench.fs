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
open Hnn.Tensors
open Hnn.Training
open TorchSharp

/// One comparison: a task, the Adam-trained kind, and its sampled counterpart's fits.
type Row =
    {
        /// Names the row's figures, e.g. "mass-spring".
        Name: string
        /// The task: its data (seed 0), its Adam recipe and its energy protocol.
        Task: Tasks.Task
        /// The Adam-trained kind: the HNN, or the dissipative HNN on the real pendulum.
        Trained: ModelKind
        /// The fits, each named: the first is the run path's default (`hnn run`'s), the one the targets judge.
        Fits: (string * SampledSettings) list
        /// Judge "fit ≥ 100× faster than Adam trains, with an energy MSE no higher".
        SpeedAndEnergy: bool
        /// Judge "relative field MSE on the test states ≥ 100× below the Adam HNN's".
        FieldError: bool
    }

/// Hénon–Heiles, H = |p|²/2 + (x² + y²)/2 + x²y − y³/3, as a composed task with scripts/compose.fsx's paper-like
/// recipe: 50 trajectories × 30 points on [0, 3] (half test), starts at phase-space radius U(0.1, 0.5), input noise
/// `noise` (compose.fsx: 0.05; 0 is Rahma et al.'s setting); the paper's small-system Adam recipe (2000 full-batch
/// steps, weight decay 1e-4); energy protocol of 15 starts from the same radii over t ∈ [0, 20].
let henonHeiles (noise: float) =
    let recipe =
        { Pipeline.recipe with
            Trajectories = 50
            Points = 30
            TimeSpan = 3.0
            Starts = Pipeline.Radius(0.1, 0.5)
            NoiseStd = noise }
    let key = if noise = 0.0 then "henon-heiles-noise-free" else "henon-heiles"
    Hamiltonians.henonHeiles 1.0
    |> Pipeline.task key recipe { Pipeline.protocol with Starts = Pipeline.Radius(0.1, 0.5) } (Tasks.training 2000 1e-4 None)

/// The rows: mass-spring, ideal pendulum and Hénon–Heiles (σ 0.05) judged for speed and energy; noise-free
/// Hénon–Heiles judged for the field error; the real pendulum on centred targets (sampled dissipative HNN against
/// the dissipative HNN), two-body and three-body reported. The first fit of each row takes the defaults of `hnn run`
/// (auto sampler, width ≤ 400, λ and width chosen on held-out trajectories, at most 10 000 training states: the orbit
/// tasks' 40 000 and 80 000 are subsampled); ELM alone is timed beside it on the noisy recipes, and a wider
/// uniform-SWIM layer on two-body.
let rows () =
    let byDefault = "default", SampledSettings()
    let row name task speed field =
        { Name = name; Task = task; Trained = ModelKind.Hnn; Fits = [ byDefault ]; SpeedAndEnergy = speed; FieldError = field }
    // Auto compares three samplers at a quarter of the width before its full-width fit; ELM alone is timed beside it,
    // so the comparison's cost shows (on these noisy recipes auto chose ELM).
    let withElm r = { r with Fits = r.Fits @ [ "ELM alone", SampledSettings(Sampler = LayerSampler.Elm) ] }
    [ withElm (row "mass-spring" Tasks.spring true false)
      withElm (row "ideal pendulum" Tasks.pendulum true false)
      withElm (row "Hénon–Heiles σ 0.05" (henonHeiles 0.05) true false)
      row "Hénon–Heiles noise-free" (henonHeiles 0.0) false true
      { row "real pendulum, centred" Tasks.realPendulumCentral false false with
          Trained = ModelKind.DissipativeHnn
          Fits = [ "default", SampledSettings(Kind = ModelKind.SampledDissipativeHnn) ] }
      { row "two-body" Tasks.twoBody false false with
          Fits = [ byDefault; "uniform SWIM, width ≤ 1200", SampledSettings(Sampler = LayerSampler.UniformSwim, Width = 1200) ] }
      row "three-body" Tasks.threeBody false false ]

/// Σ|f(x) − ẋ|² / Σ|ẋ|² of a model on the test split: float32 states for a trained network (as it was trained),
/// float64 for a sampled one.
let relativeFieldMse (model: DynamicsModel) (data: Dataset) =
    use _ = torch.NewDisposeScope()
    let dtype = if model :? SampledHnn then torch.ScalarType.Float64 else torch.ScalarType.Float32
    let f = model.TimeDerivative(data.TestX.ToTensor dtype, false).``to``(torch.ScalarType.Float64)
    let y = data.TestDx.ToTensor torch.ScalarType.Float64
    ((f - y).Squared().sum() / y.Squared().sum()).item<float>()

let private median (xs: float list) = (List.sort xs)[xs.Length / 2]

/// One model of a row as measured: its time (Adam's training loop, or a fit's median over repeats), its evaluation
/// (test loss, energy MSE if its flow could be integrated) and its relative field MSE on the test states.
type Model =
    {
        Label: string
        Seconds: float
        /// How the time was taken, e.g. "2000 steps, full batch, no test loss logged" or "median of 3 fits; <report>".
        How: string
        Evaluated: Experiment.Evaluated
        FieldMse: float
        /// For a fit, what it chose and measured.
        Report: SampledFitReport option
    }

/// What one row measured: the Adam model, then one model per fit, in the row's order.
type Measured = { Row: Row; Adam: Model; Fits: Model list }

/// Trains the Adam model with the task's recipe (seed 0; no per-step test loss, so the loop is pure training; with
/// `quick` a twentieth of the steps), fits each sampled model `repeats` times (same seed, identical models: the median
/// time), and evaluates them all with the task's energy protocol.
let measure (quick: bool) (repeats: int) (log: string -> unit) (row: Row) : Measured =
    Torch.init ()
    let task = row.Task
    let data = task.Data 0
    let recipe = task.Training
    let steps = if quick then max 20 (recipe.Steps / 20) else recipe.Steps
    let settings =
        TrainSettings(
            Steps = steps,
            LearningRate = recipe.LearningRate,
            WeightDecay = recipe.WeightDecay,
            BatchSize = recipe.BatchSize,
            TestEvery = 0
        )
            .Validate()
    log (sprintf "  %s: Adam %s, %d steps ..." row.Name (Tasks.modelKey row.Trained) steps)
    let adam = DynamicsModel.Create(ModelSettings(row.Trained, task.Dimension), 0)
    let trained = Trainer.Train(adam, data, settings)
    let fitted =
        [ for label, sampling in row.Fits ->
              log (sprintf "  %s: sampled fit, %s (%d×) ..." row.Name label repeats)
              let results = [ for _ in 1..repeats -> SampledFit.Fit(data, sampling, 0) ]
              for r in results.Tail do
                  r.Model.Dispose()
              let fit = results.Head
              log (sprintf "  %s: %O" row.Name fit.Report)
              let model = fit.Model :> DynamicsModel
              let seconds = median [ for r in results -> r.Report.Seconds ]
              let result =
                  TrainingResult(
                      [||],
                      [||],
                      Trainer.FinalLoss(model, data.TrainX, data.TrainDx),
                      Trainer.FinalLoss(model, data.TestX, data.TestDx),
                      seconds,
                      torch.get_num_threads ()
                  )
              label, sampling.Kind, model, result, fit.Report ]
    let asTrained kind model result : Experiment.Trained = { Task = task; Kind = kind; Model = model; Settings = settings; Result = result }
    let evaluated =
        Experiment.evaluate
            { Experiment.defaults with Log = log }
            (asTrained row.Trained adam trained :: [ for _, kind, model, result, _ in fitted -> asTrained kind model result ])
    let batch =
        match recipe.BatchSize |> Option.ofNullable with
        | Some b -> sprintf "minibatch %d" b
        | None -> "full batch"
    { Row = row
      Adam =
        { Label = "Adam"
          Seconds = trained.Seconds
          How = sprintf "%d steps, %s, no test loss logged" steps batch
          Evaluated = evaluated.Head
          FieldMse = relativeFieldMse adam data
          Report = None }
      Fits =
        [ for (label, _, model, result, report), e in List.zip fitted evaluated.Tail ->
              { Label = label
                Seconds = result.Seconds
                How = sprintf "median of %d fits; %O" repeats report
                Evaluated = e
                FieldMse = relativeFieldMse model data
                Report = Some report } ] }

let private figure name value unit note : Bench.Figure =
    { Name = "sampled: " + name; Value = value; Unit = unit; Threads = torch.get_num_threads (); Note = note }

let private energy (m: Model) = m.Evaluated.Metrics |> Option.map _.EnergyMse.Mean |> Option.defaultValue nan

/// A model's name in the figures: "hnn (Adam)", "sampled-hnn", "sampled-hnn (uniform SWIM, width ≤ 1200)".
let private nameOf (m: Model) =
    let key = Tasks.modelKey m.Evaluated.Trained.Kind
    match m.Label with
    | "Adam" -> key + " (Adam)"
    | "default" -> key
    | label -> sprintf "%s (%s)" key label

/// The figures of one measured row.
let figures (m: Measured) : Bench.Figure list =
    let r = m.Row
    [ for model in m.Adam :: m.Fits do
          let name = nameOf model
          let what = if model.Report.IsSome then "fit" else "training"
          figure (sprintf "%s: %s %s" r.Name name what) model.Seconds "s" model.How
          if model.Report.IsSome then
              figure (sprintf "%s: %s, training / fit time" r.Name name) (m.Adam.Seconds / model.Seconds) "×" ""
          figure
              (sprintf "%s: %s test loss" r.Name name)
              model.Evaluated.Trained.Result.FinalTest.Mean
              ""
              "the paper's loss: MSE of dx/dt on the test split"
          figure
              (sprintf "%s: %s energy MSE" r.Name name)
              (energy model)
              ""
              (match model.Evaluated.Metrics with
               | Some _ -> "true energy along the true and the model's paths of the task's protocol"
               | None -> "its flow could not be integrated")
          figure
              (sprintf "%s: %s relative field MSE" r.Name name)
              model.FieldMse
              ""
              (if model.Report.IsSome then
                   "Σ|f − ẋ|² / Σ|ẋ|² on the test states (float64)"
               else
                   "Σ|f − ẋ|² / Σ|ẋ|² on the test states (float32, as trained)")
          figure
              (sprintf "%s: %s evaluation" r.Name name)
              model.Evaluated.EvaluationSeconds
              "s"
              "the energy protocol's model paths (float64, adaptive)" ]

/// The targets a row judges on its first (default) fit; none with `quick` (a shortened Adam run flatters the ratios).
let targets (quick: bool) (m: Measured) : Bench.Target list =
    let r = m.Row
    match quick, m.Fits with
    | true, _
    | _, [] -> []
    | false, fit :: _ ->
        [ if r.SpeedAndEnergy then
              let speedup = m.Adam.Seconds / fit.Seconds
              yield
                  { Target = sprintf "%s: sampled HNN fits ≥ 100× faster than the Adam HNN trains" r.Name
                    Measured = sprintf "%.0f× (%.2f s vs %.1f s)" speedup fit.Seconds m.Adam.Seconds
                    Reached = speedup >= 100.0 }
              let a, s = energy m.Adam, energy fit
              yield
                  { Target = sprintf "%s: sampled HNN's energy MSE ≤ the Adam HNN's" r.Name
                    Measured = sprintf "%s vs %s" (Format.sci 3 s) (Format.sci 3 a)
                    Reached = s <= a }
          if r.FieldError then
              let ratio = m.Adam.FieldMse / fit.FieldMse
              yield
                  { Target = sprintf "%s: sampled HNN's relative field MSE on held-out states ≥ 100× below the Adam HNN's" r.Name
                    Measured = sprintf "%.0f× below (%s vs %s)" ratio (Format.sci 2 fit.FieldMse) (Format.sci 2 m.Adam.FieldMse)
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
    log (
        sprintf
            "sampled HNN against the Adam HNN: threads %d, cores %d, load average %.2f"
            (torch.get_num_threads ())
            Environment.ProcessorCount
            loadBefore
    )
    // A fit takes a tenth of a second to a few seconds: on a shared machine one preemption doubles one, so the median
    // of seven identical fits (against Adam's one run of tens of seconds, which averages the load).
    let measured = [ for row in rows () -> measure quick 7 log row ]
    let figures = measured |> List.collect figures
    for f in figures do
        log (sprintf "%-72s %10.3g %-3s %2d thr  %s" f.Name f.Value f.Unit f.Threads f.Note)
    let reached = measured |> List.collect (targets quick)
    log ""
    for t in reached do
        log (sprintf "%-100s %-34s %s" t.Target t.Measured (if t.Reached then "reached" else "NOT reached"))
    for m in measured do
        for model in m.Adam :: m.Fits do
            model.Evaluated.Trained.Model.Dispose()
    figures, reached, write outDir quick loadBefore figures reached

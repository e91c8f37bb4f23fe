/// Benchmarks: speed and memory of data generation, training and evaluation, against the machine's
/// float32 matrix-product throughput and the reference implementation's published timings.
module Hnn.Bench

open System
open System.Diagnostics
open System.IO
open System.Text.Json
open System.Text.Json.Nodes
open Hnn.Data
open Hnn.Evaluation
open Hnn.Models
open Hnn.Training
open TorchSharp

/// The reference implementation's data-generation times measured on this kind of machine (seconds).
let referenceDataSeconds = Map.ofList [ "two-body", 15.7; "three-body", 75.3 ]

/// One measured figure, with the torch thread count it was measured with.
type Figure = { Name: string; Value: float; Unit: string; Threads: int; Note: string }

/// One of the issue's targets and whether this run reached it.
type Target = { Target: string; Measured: string; Reached: bool }

/// The parts of a bench run, in the order they run (`hnn bench --only throughput` runs the first alone).
let parts = [ "throughput"; "data"; "training"; "runs"; "evaluation"; "memory" ]

/// What `run` does. `Cli` starts `hnn` as a child process (program, leading arguments) for the whole-run figures;
/// `Models` is a folder holding `models/<task>-<model>.json` (a finished `hnn run`) whose evaluation is timed;
/// `Parts` names the parts to run (empty: all of them; see `parts`).
type Options =
    { OutDir: string
      Quick: bool
      Models: string option
      Cli: (string * string list) option
      Parts: string list
      Log: string -> unit }

let private figure name value unit note = { Name = name; Value = value; Unit = unit; Threads = torch.get_num_threads (); Note = note }

let private procStatus (field: string) =
    File.ReadLines "/proc/self/status"
    |> Seq.tryFind (fun l -> l.StartsWith(field + ":"))
    |> Option.map (fun l -> float (l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0)
    |> Option.defaultValue nan

/// Peak resident memory of this process so far (VmHWM), in MiB.
let peakRssMiB () = procStatus "VmHWM"

/// Resident memory of this process now (VmRSS), in MiB.
let rssMiB () = procStatus "VmRSS"

/// The 1-minute load average (other processes compete for the same cores).
let loadAverage () =
    try
        float ((File.ReadAllText "/proc/loadavg").Split(' ')[0])
    with _ ->
        nan

let private time (f: unit -> 'a) =
    let clock = Stopwatch.StartNew()
    let result = f ()
    result, clock.Elapsed.TotalSeconds

/// Seconds to generate each simulated dataset at the paper's size (no cache), best of `repeats`.
let dataGeneration repeats =
    let best f = List.init repeats (fun _ -> snd (time f)) |> List.min
    [ "spring", best (fun () -> SpringRecipe().Generate() |> ignore)
      "pendulum", best (fun () -> PendulumRecipe().Generate() |> ignore)
      "real-pendulum", best (fun () -> RealPendulumRecipe().Generate() |> ignore)
      "two-body", best (fun () -> TwoBodyRecipe().Generate() |> ignore)
      "three-body", best (fun () -> ThreeBodyRecipe().Generate() |> ignore) ]
    |> List.map (fun (task, s) ->
        let note =
            match referenceDataSeconds.TryFind task with
            | Some r -> sprintf "reference %.1f s: %.0f× faster" r (r / s)
            | None -> ""
        figure (sprintf "data generation: %s" task) s "s" note)

/// GFLOP/s of `repeats` float32 n×n matrix products of a and b.
let private matmul (a: torch.Tensor) (b: torch.Tensor) repeats =
    let n = float a.shape[0]
    let _, s =
        time (fun () ->
            for _ in 1..repeats do
                torch.mm(a, b).Dispose())
    2.0 * n ** 3.0 * float repeats / s / 1e9

/// Milliseconds per step of a full-batch HNN training run on mass-spring (no per-step test loss), as the trainer runs it:
/// with Adam over one flat parameter buffer (`flat`, the trainer's default) or parameter by parameter.
let private hnnSpringStep (data: Dataset) steps (flat: bool) =
    use model = DynamicsModel.Create(ModelSettings(ModelKind.Hnn, 2), 0)
    let control = TrainingControl(FlatParameters = flat)
    (Trainer.Train(model, data, TrainSettings(Steps = steps, TestEvery = 0), null, control)).MillisecondsPerStep

/// The HNN training step on mass-spring against a 2048² float32 matrix product, in `rounds` alternating rounds
/// (a matrix-product block, then a block of training steps with the flat-buffer Adam, then one with the
/// per-parameter Adam it replaced), so all three see the same machine: other processes slow them alike. The
/// fractions are the medians of the rounds' ratios; the peak is the best round's product.
let throughput rounds steps =
    use scope = torch.NewDisposeScope()
    let data = Tasks.spring.Data 0
    let flops = StepFlops.hnnStep data.TrainX.Rows 2 200
    let a = torch.randn (2048L, 2048L)
    let b = torch.randn (2048L, 2048L)
    matmul a b 2 |> ignore
    hnnSpringStep data 20 true |> ignore
    hnnSpringStep data 20 false |> ignore
    let measured =
        [ for _ in 1..rounds ->
              let peak = matmul a b 10
              let ms = hnnSpringStep data steps true
              let perParameter = hnnSpringStep data steps false
              peak, ms, perParameter ]
    let median xs = let s = List.sort xs in s[s.Length / 2]
    let gflops ms = flops / (ms / 1000.0) / 1e9
    let peak = measured |> List.map (fun (p, _, _) -> p) |> List.max
    let ratios = measured |> List.map (fun (p, ms, _) -> gflops ms / p)
    let before = measured |> List.map (fun (p, _, ms) -> gflops ms / p)
    let bestMs = measured |> List.map (fun (_, ms, _) -> ms) |> List.min
    let range (xs: float list) = sprintf "range %.0f–%.0f %%" (100.0 * List.min xs) (100.0 * List.max xs)
    [ figure "float32 matrix product 2048×2048" peak "GFLOP/s" (sprintf "best of %d rounds: the attainable peak" rounds)
      figure
          "HNN training step on mass-spring"
          bestMs
          "ms/step"
          (sprintf "%.0f MFLOP/step (StepFlops.hnnStep 750 2 200), best of %d rounds of %d steps" (flops / 1e6) rounds steps)
      figure "HNN training step on mass-spring" (gflops bestMs) "GFLOP/s" "best round"
      figure
          "HNN training step / matrix product"
          (100.0 * median ratios)
          "%"
          (sprintf "median of %d paired rounds (%s), Adam over one flat parameter buffer" rounds (range ratios))
      figure
          "HNN training step on mass-spring, per-parameter Adam"
          (measured |> List.map (fun (_, _, ms) -> ms) |> List.min)
          "ms/step"
          (sprintf "best of the same %d rounds: the optimiser before the flat buffer" rounds)
      figure
          "HNN training step / matrix product, per-parameter Adam"
          (100.0 * median before)
          "%"
          (sprintf "median of the same %d rounds (%s)" rounds (range before)) ]

/// ms per training step of each task and model, with the per-step test loss on (over a fifth of the steps: on the
/// orbit tasks the test set is 10 000 and 20 000 rows) and off.
let training (steps: int) (tasks: Tasks.Task list) =
    [ for task in tasks do
          let data = task.Data 0
          for kind in [ ModelKind.Baseline; ModelKind.Hnn ] do
              for testEvery in [ 1; 0 ] do
                  use model = DynamicsModel.Create(ModelSettings(kind, task.Dimension), 0)
                  let t = task.Training
                  let n = if testEvery = 1 then max 20 (steps / 5) else steps
                  let settings = TrainSettings(Steps = n, WeightDecay = t.WeightDecay, BatchSize = t.BatchSize, TestEvery = testEvery)
                  let r = Trainer.Train(model, data, settings)
                  let label =
                      if testEvery = 1 then
                          sprintf "test loss every step (%d test rows)" data.TestX.Rows
                      else
                          "no test loss"
                  let batch =
                      match t.BatchSize |> Option.ofNullable with
                      | Some b -> sprintf "minibatch %d" b
                      | None -> sprintf "full batch %d" data.TrainX.Rows
                  yield
                      figure
                          (sprintf "training: %s %s, %s" task.Key (Tasks.modelKey kind) label)
                          r.MillisecondsPerStep
                          "ms/step"
                          (sprintf "%s, %d steps" batch n) ]

/// Peak RSS (MiB) and wall seconds of a child process run under /usr/bin/time, or an error.
let private timedChild (program: string) (args: string list) (log: string -> unit) =
    if not (File.Exists "/usr/bin/time") then
        Error "/usr/bin/time is missing (apt-get install time)"
    else
        let report = Path.GetTempFileName()
        let info = ProcessStartInfo("/usr/bin/time", [ "-o"; report; "-f"; "%M %e"; program ] @ args, UseShellExecute = false)
        info.RedirectStandardOutput <- true
        use p = Process.Start info |> nonNull
        p.OutputDataReceived.Add(fun e ->
            match e.Data with
            | null -> ()
            | line ->
                if not (line.StartsWith "  ") then
                    log ("    | " + line))
        p.BeginOutputReadLine()
        p.WaitForExit()
        let fields = (File.ReadAllText report).Trim().Split([| ' '; '\n' |], StringSplitOptions.RemoveEmptyEntries)
        File.Delete report
        if p.ExitCode <> 0 then
            Error(sprintf "exit code %d" p.ExitCode)
        else
            Ok(float fields[fields.Length - 2] / 1024.0, float fields[fields.Length - 1])

/// The real command, `hnn reproduce --tasks <task>` (both models, the paper's steps or `steps`), timed from outside:
/// wall seconds and peak RSS of the whole process. The trained models land in `runs/<task>/models`.
let wholeRuns (program: string, leading: string list) (runs: string) (steps: int option) (log: string -> unit) =
    [ for task in Tasks.all do
          let out = Path.Combine(runs, task.Key)
          let args =
              leading
              @ [ "reproduce"
                  "--tasks"
                  task.Key
                  "--out"
                  out
                  "--force"
                  "--checkpoint-every"
                  "0"
                  "--threads"
                  string (torch.get_num_threads ()) ]
              @ (steps |> Option.map (fun s -> [ "--steps"; string s ]) |> Option.defaultValue [])
          log (sprintf "  running: %s %s" program (String.Join(" ", args)))
          match timedChild program args log with
          | Ok(rss, seconds) ->
              let label =
                  match steps with
                  | Some s -> sprintf "%d steps per model" s
                  | None -> "the paper's steps"
              yield figure (sprintf "whole run: hnn reproduce --tasks %s" task.Key) seconds "s" label
              yield figure (sprintf "whole run: hnn reproduce --tasks %s, peak RSS" task.Key) rss "MiB" "measured by /usr/bin/time"
          | Error e -> yield figure (sprintf "whole run: hnn reproduce --tasks %s" task.Key) nan "s" ("failed: " + e) ]

/// The path of a saved model of `task` under `folder` (as `hnn run`, `reproduce` and `train` write them).
let private modelPath (folder: string) (task: Tasks.Task) (kind: ModelKind) = RunFolder(folder).Model(task.Key, Tasks.modelKey kind)

/// Seconds of each task's energy protocol on the trained models saved under `folderOf task`: the true paths once,
/// then each model's float64 rollout; the last figure is the sum over the five tasks (true paths and both models).
/// Untrained or briefly trained models would mislead: their fields are smoother or stiffer than trained ones, and
/// the adaptive integrator's cost follows the field. A task without both saved models is left out, and said so.
let evaluation (folderOf: Tasks.Task -> string) =
    let perTask =
        [ for task in Tasks.all do
              let paths = [ ModelKind.Baseline; ModelKind.Hnn ] |> List.map (fun k -> k, modelPath (folderOf task) task k)
              match paths |> List.filter (snd >> File.Exists >> not) with
              | (_, missing) :: _ -> yield [ figure (sprintf "evaluation: %s" task.Key) nan "s" (sprintf "skipped: no %s" missing) ], nan
              | [] ->
                  let protocol = task.Protocol.Value
                  let reference, referenceSeconds = time (fun () -> TrajectoryEvaluation.ReferencePaths protocol)
                  let rows =
                      [ yield figure (sprintf "evaluation: %s true paths" task.Key) referenceSeconds "s" ""
                        for kind, path in paths do
                            let struct (model, _) = ModelFile.Load path
                            use model = model
                            let outcome, s =
                                time (fun () ->
                                    try
                                        Ok(TrajectoryEvaluation.Evaluate(protocol, model, reference))
                                    with e ->
                                        Error e.Message)
                            let note =
                                match outcome with
                                | Ok _ -> path
                                | Error e -> path + "; failed: " + e
                            yield figure (sprintf "evaluation: %s %s" task.Key (Tasks.modelKey kind)) s "s" note ]
                  yield rows, rows |> List.sumBy _.Value ]
    let total = perTask |> List.sumBy snd
    (perTask |> List.collect fst)
    @ [ figure "evaluation: all five tasks" total "s" "true paths and both trained models of each task" ]

/// Live tensors and resident memory during one 10⁴-step spring HNN run (test loss every step, as the paper):
/// sampled after steps 1000, 5000 and 10 000, between steps. Flat means nothing leaks.
let memory () =
    let data = Tasks.spring.Data 0
    use model = DynamicsModel.Create(ModelSettings(ModelKind.Hnn, 2), 0)
    let samples = ResizeArray()
    let sample =
        { new IProgress<TrainingProgress> with
            member _.Report p =
                if p.Step = 1000 || p.Step = 5000 || p.Step = 10000 then
                    samples.Add(p.Step, float DisposeScopeManager.Statistics.ThreadTotalLiveCount, rssMiB ()) }
    Trainer.Train(model, data, TrainSettings(Steps = 10000, TestEvery = 1), sample) |> ignore
    [ for step, live, rss in samples -> figure (sprintf "live tensors at step %d of 10⁴" step) live "tensors" (sprintf "RSS %.0f MiB" rss) ]

/// The issue's targets, judged from the figures of this run.
let targets (figures: Figure list) =
    let find name unit = figures |> List.tryFind (fun f -> f.Name = name && f.Unit = unit)
    [ for task in [ "two-body"; "three-body" ] do
          match find (sprintf "data generation: %s" task) "s" with
          | Some f ->
              let speedup = referenceDataSeconds[task] / f.Value
              yield
                  { Target = sprintf "%s data ≥ 50× faster than the reference" task
                    Measured = sprintf "%.0f×" speedup
                    Reached = speedup >= 50.0 }
          | None -> ()
      match find "HNN training step / matrix product" "%" with
      | Some f ->
          yield
              { Target = "HNN step on mass-spring ≥ 50 % of the matrix product"
                Measured = sprintf "%.0f %%" f.Value
                Reached = f.Value >= 50.0 }
          if f.Threads = 1 then
              yield
                  { Target = "HNN step on mass-spring at 1 thread ≥ 65 % of the matrix product"
                    Measured = sprintf "%.0f %%" f.Value
                    Reached = f.Value >= 65.0 }
      | None -> ()
      match find "evaluation: all five tasks" "s" with
      | Some f ->
          yield
              { Target = "energy evaluation of the five numeric tasks < 30 s"
                Measured = sprintf "%.1f s" f.Value
                Reached = f.Value < 30.0 }
      | None -> ()
      let live = figures |> List.filter (fun f -> f.Name.StartsWith "live tensors") |> List.map _.Value
      if not live.IsEmpty then
          yield
              { Target = "live tensors flat over 10⁴ steps"
                Measured = String.Join(", ", live)
                Reached = List.distinct live |> List.length = 1 } ]

/// Runs every benchmark, writes results.json under `options.OutDir`, returns the figures, the targets and the file.
let run (options: Options) =
    Torch.init ()
    let log = options.Log
    let report (fs: Figure list) =
        for f in fs do
            log (sprintf "%-58s %10.3f %-8s %2d thr  %s" f.Name f.Value f.Unit f.Threads f.Note)
        fs
    let loadBefore = loadAverage ()
    log (sprintf "threads %d, cores %d, load average %.2f" (torch.get_num_threads ()) Environment.ProcessorCount loadBefore)
    let runs = Path.Combine(options.OutDir, "out", "runs")
    let runs' (part: string) = options.Parts.IsEmpty || List.contains part options.Parts
    let figures =
        [ if runs' "throughput" then
              yield! report (throughput (if options.Quick then 3 else 7) (if options.Quick then 150 else 400))
          if runs' "data" then
              yield! report (dataGeneration (if options.Quick then 1 else 3))
          if runs' "training" then
              yield! report (training (if options.Quick then 100 else 500) Tasks.all)
          let ranRuns =
              match options.Cli with
              | Some cli when not options.Quick && runs' "runs" -> report (wholeRuns cli runs None log)
              | _ -> []
          yield! ranRuns
          // Trained models: --models, else the whole runs' (the paper's steps), else a finished `hnn run` in results/.
          let folderOf (task: Tasks.Task) =
              match options.Models with
              | Some dir -> dir
              | None when not ranRuns.IsEmpty -> Path.Combine(runs, task.Key)
              | None -> "results"
          if runs' "evaluation" then
              yield! report (evaluation folderOf)
          if not options.Quick && runs' "memory" then
              yield! report (memory ()) ]
    let reached = targets figures
    log ""
    for t in reached do
        log (sprintf "%-58s %-12s %s" t.Target t.Measured (if t.Reached then "reached" else "NOT reached"))
    let loadAfter = loadAverage ()
    log (sprintf "load average %.2f before, %.2f after" loadBefore loadAfter)
    let document =
        {| Machine =
            {| Cores = Environment.ProcessorCount
               Threads = torch.get_num_threads ()
               LoadAverageBefore = loadBefore
               LoadAverageAfter = loadAfter
               PeakRssMib = peakRssMiB () |}
           Quick = options.Quick
           Parts = (if options.Parts.IsEmpty then parts else options.Parts)
           Figures = figures
           Targets = reached |}
    let path = Path.Combine(options.OutDir, "results.json")
    let written = JsonSerializer.SerializeToNode(document, IO.Json.Options) |> nonNull
    // The sampled HNN's rows (Hnn.SampledBench, `--only sampled`) share the file: a run of these parts keeps them.
    match (if File.Exists path then JsonNode.Parse(File.ReadAllText path) else null) with
    | :? JsonObject as existing ->
        match existing["sampled"] with
        | null -> ()
        | sampled -> written["sampled"] <- sampled.DeepClone()
    | _ -> ()
    IO.AtomicFile.WriteAllText(path, written.ToJsonString(IO.Json.Options))
    figures, reached, path

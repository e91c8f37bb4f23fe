/// Benchmarks: speed and memory of data generation, training and evaluation, against the machine's
/// float32 matrix-product throughput and the reference implementation's published timings.
module Hnn.Bench

open System
open System.Diagnostics
open System.IO
open System.Text.Json
open Hnn.Data
open Hnn.Evaluation
open Hnn.Models
open Hnn.Training
open TorchSharp

/// The reference implementation's data-generation times measured on this kind of machine (seconds).
let referenceDataSeconds = Map.ofList [ "two-body", 15.7; "three-body", 75.3 ]

/// One measured figure.
type Figure =
    { Name: string
      Value: float
      Unit: string
      Threads: int
      Note: string }

let private figure name value unit note =
    { Name = name; Value = value; Unit = unit; Threads = torch.get_num_threads (); Note = note }

/// Peak resident memory of this process so far (VmHWM), in MiB.
let peakRssMiB () =
    File.ReadLines "/proc/self/status"
    |> Seq.tryFind (fun l -> l.StartsWith "VmHWM:")
    |> Option.map (fun l -> float (l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0)
    |> Option.defaultValue nan

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

/// GFLOP/s of a float32 n×n matrix product (the attainable peak this benchmark compares with).
let matmulGflops (n: int) =
    use scope = torch.NewDisposeScope()
    let a = torch.randn(int64 n, int64 n)
    let b = torch.randn(int64 n, int64 n)
    torch.mm(a, b) |> ignore
    let repeats = 10
    let _, s = time (fun () -> for _ in 1..repeats do torch.mm(a, b).Dispose())
    2.0 * float n ** 3.0 * float repeats / s / 1e9

/// FLOPs of one HNN training step on N states of dimension D with hidden width H: the forward pass and the
/// written-out input gradient (4·N·(H² + H·D) multiply-adds ×2), and the backward pass through both (twice that).
let hnnStepFlops (n: int) (d: int) (h: int) =
    let forwardAndGradient = 2.0 * 2.0 * float n * (float h * float h + float h * float d)
    3.0 * forwardAndGradient

/// ms per training step of each task and model, with the per-step test loss on and off.
let training (steps: int) (tasks: Tasks.Task list) =
    [ for task in tasks do
        let data = task.Data 0
        for kind in [ ModelKind.Baseline; ModelKind.Hnn ] do
            for testEvery in [ 1; 0 ] do
                let model = DynamicsModel.Create(ModelSettings(kind, task.Dimension), 0)
                let t = task.Training
                let settings =
                    TrainSettings(Steps = steps, WeightDecay = t.WeightDecay, BatchSize = t.BatchSize, TestEvery = testEvery)
                let r = Trainer.Train(model, data, settings)
                model.Dispose()
                let label = if testEvery = 1 then "test loss every step" else "no test loss"
                yield figure (sprintf "training: %s %s, %s" task.Key (Tasks.modelKey kind) label) r.MillisecondsPerStep "ms/step" "" ]

/// Achieved GFLOP/s of the HNN training step on mass-spring (no per-step test loss) as a fraction of the matrix product's.
let hnnFraction (steps: int) (peak: float) =
    let data = Tasks.spring.Data 0
    let model = DynamicsModel.Create(ModelSettings(ModelKind.Hnn, 2), 0)
    let r = Trainer.Train(model, data, TrainSettings(Steps = steps, TestEvery = 0))
    let gflops = hnnStepFlops data.TrainX.Rows 2 200 / (r.MillisecondsPerStep / 1000.0) / 1e9
    [ figure "HNN training step on mass-spring" gflops "GFLOP/s" (sprintf "%.0f %% of the %.1f GFLOP/s matrix product" (100.0 * gflops / peak) peak) ]

/// Seconds of each task's energy protocol for an (untrained) HNN and baseline: integration cost, not accuracy.
let evaluation (tasks: Tasks.Task list) =
    [ for task in tasks do
        let protocol = task.Protocol()
        let reference, referenceSeconds = time (fun () -> TrajectoryEvaluation.ReferencePaths protocol)
        yield figure (sprintf "evaluation: %s true paths" task.Key) referenceSeconds "s" ""
        for kind in [ ModelKind.Baseline; ModelKind.Hnn ] do
            use model = DynamicsModel.Create(ModelSettings(kind, task.Dimension), 0)
            let outcome, s = time (fun () -> try Ok(TrajectoryEvaluation.Evaluate(protocol, model, reference)) with e -> Error e.Message)
            let note = match outcome with Ok _ -> "" | Error e -> "failed: " + e
            yield figure (sprintf "evaluation: %s %s (untrained)" task.Key (Tasks.modelKey kind)) s "s" note ]

/// Live tensors after 1000, 5000 and 10 000 training steps (flat means no leak) and the peak RSS.
let memory () =
    let data = Tasks.spring.Data 0
    let model = DynamicsModel.Create(ModelSettings(ModelKind.Hnn, 2), 0)
    let live () = float DisposeScopeManager.Statistics.ThreadTotalLiveCount
    [ for steps in [ 1000; 5000; 10000 ] do
        Trainer.Train(model, data, TrainSettings(Steps = steps, TestEvery = 1)) |> ignore
        yield figure (sprintf "live tensors after %d steps" steps) (live ()) "tensors" (sprintf "peak RSS %.0f MiB" (peakRssMiB ())) ]

/// Runs every benchmark, writes bench/results.json under `outDir`, returns the figures.
let run (outDir: string) (quick: bool) (log: string -> unit) =
    Torch.init ()
    let steps = if quick then 100 else 500
    let report (fs: Figure list) =
        for f in fs do
            log (sprintf "%-55s %10.3f %-8s %2d thr  %s" f.Name f.Value f.Unit f.Threads f.Note)
        fs
    let peak = matmulGflops 2048
    let figures =
        [ yield! report [ figure "float32 matrix product 2048×2048" peak "GFLOP/s" "the attainable peak" ]
          yield! report (dataGeneration (if quick then 1 else 3))
          yield! report (training steps Tasks.all)
          yield! report (hnnFraction (steps * 2) peak)
          yield! report (evaluation Tasks.all)
          if not quick then yield! report (memory ()) ]
    let path = Path.Combine(outDir, "results.json")
    IO.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(figures, IO.Json.Options))
    figures, path

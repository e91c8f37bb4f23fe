/// The benchmark suite's summary: one Markdown table per metric (energy error, valid prediction time, rollout MSE),
/// a row per model and a column per system, from a results.json (a run's or a merged sweep's).
module Hnn.BenchmarkTable

open System.IO
open Hnn.Results

/// The metrics of the summary, with their headings: what each table shows.
let metrics =
    [ "energy_error",
      "Energy error: median over the held-out starts (20 on the benchmark systems, the paper's 15 elsewhere) of |H(x̂(t)) − H₀| / |H₀| at t = 20 (lower is better)"
      "vpt",
      "Valid prediction time: mean over the starts of the first time ‖x̂ − x‖ / ‖x‖ exceeds 0.1, in the system's time units, at most the horizon (higher is better)"
      "rollout_mse", "Rollout MSE: mean squared state error over the starts, times and coordinates (lower is better)" ]

/// The file the summary is written to, in the results folder.
let fileName = "summary.md"

let private rank (order: string list) (key: string) = order |> List.tryFindIndex ((=) key) |> Option.defaultValue 99

/// The summary of these cells: per metric a table of models (the order of `Tasks.trainableKinds`, others after) × systems
/// (the order of `Tasks.conservative`, others after); "—" where a model has no value (not run, or its flow diverged).
let markdown (cells: ResultsFile.Cell seq) =
    let cells = Seq.toList cells
    let systems = cells |> List.map _.Task |> List.distinct |> List.sortBy (fun t -> rank (Tasks.conservative |> List.map _.Key) t, t)
    // A merged sweep names a model with varying settings "model/settings": rank it by its model.
    let modelOf (label: string) = label.Split('/').[0]
    let models = cells |> List.map _.Model |> List.distinct |> List.sortBy (fun m -> TextTable.modelRank (modelOf m), m)
    let table (metric: string, heading: string) =
        let value system model =
            cells
            |> List.tryFind (fun c -> c.Task = system && c.Model = model && c.Metric = metric)
            |> Option.map (fun c -> if metric = "vpt" then Format.decimals 2 c.Value.Mean else Format.sci 2 c.Value.Mean)
            |> Option.defaultValue "—"
        let rows = models |> List.map (fun m -> sprintf "| %s | %s |" m (systems |> List.map (fun s -> value s m) |> String.concat " | "))
        [ sprintf "## %s" heading
          ""
          "| model | " + String.concat " | " systems + " |"
          "|---|" + String.replicate systems.Length "---|" ]
        @ rows
        |> String.concat "\n"
    String.concat
        "\n\n"
        ("# Benchmark suite: every model on every conservative system"
         :: "Means of the seeds run (results.json beside this file has each value's error and, for several seeds, their spread). Protocols: docs/benchmarks.md."
         :: (metrics |> List.map table))
    + "\n"

/// Writes DIR/summary.md from DIR/results.json; returns its path.
/// <exception cref="FileNotFoundException">DIR has no results.json.</exception>
let write (dir: string) =
    let folder = RunFolder dir
    if not (File.Exists folder.Results) then
        raise (FileNotFoundException(sprintf "%s: no results.json to summarise" folder.Results))
    let path = Path.Combine(dir, fileName)
    IO.AtomicFile.WriteAllText(path, markdown (ResultsFile.Read folder.Results))
    path

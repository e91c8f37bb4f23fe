/// Plain-text and Markdown tables: our numbers beside the paper's.
module Hnn.TextTable

open Hnn.Results
open Hnn.Training

let private sci = Format.sci

let private fmt (v: LossEstimate) = sprintf "%s ± %s" (sci 4 v.Mean) (sci 2 v.Err)

/// The metrics in the order they are reported.
let metricOrder =
    [ "train_loss"
      "test_loss"
      "energy_mse"
      "rollout_mse"
      "energy_error"
      "vpt"
      "energy_drift"
      "energy_loss_rate"
      "energy_loss_rate_true"
      "contraction_rate" ]

/// Position of a model key in the order models are trained and reported (unknown keys last).
let modelRank (model: string) = Tasks.trainableKinds |> List.tryFindIndex (fun k -> Tasks.modelKey k = model) |> Option.defaultValue 99

let private sorted (cells: ResultsFile.Cell seq) =
    let rank metric = metricOrder |> List.tryFindIndex ((=) metric) |> Option.defaultValue 99
    cells |> Seq.sortBy (fun c -> c.Task, rank c.Metric, modelRank c.Model, c.Model) |> Seq.toList

/// Notes the reader needs beside a task's row (the task's `Note`; "" for a key that is not built in).
let note (task: string) =
    match Tasks.tryFind task with
    | Ok t -> t.Note
    | Error _ -> ""

/// One line per (metric, model) of one task: ours, the paper's, and ours / paper; the model column as wide as its
/// longest key.
let table (task: string) (cells: ResultsFile.Cell seq) =
    let cells = sorted cells
    let width = cells |> List.fold (fun w c -> max w c.Model.Length) 15
    let model (name: string) = name.PadRight width
    let header = sprintf "%-21s %s %-24s %-24s %s" "metric" (model "model") "ours" "paper" "ours/paper"
    let lines =
        [ for c in cells ->
              match Paper.tryFind task c.Model c.Metric with
              | Some p ->
                  sprintf
                      "%-21s %s %-24s %-24s %s"
                      c.Metric
                      (model c.Model)
                      (fmt c.Value)
                      (fmt p)
                      (Format.decimals 2 (c.Value.Mean / p.Mean))
              | None -> sprintf "%-21s %s %-24s %s" c.Metric (model c.Model) (fmt c.Value) "—" ]
    String.concat "\n" (header :: lines)

/// results.md: per task, every cell with the paper's value and the ratio ours / paper.
let markdown (cells: ResultsFile.Cell seq) =
    let byTask = sorted cells |> List.groupBy _.Task
    let order =
        [ "spring"
          "pendulum"
          "real-pendulum"
          "two-body"
          "three-body"
          "pixel-pendulum"
          "real-pendulum-central"
          "damped-spring" ]
        @ (Tasks.benchmarks |> List.map _.Key)
    let rank t = order |> List.tryFindIndex ((=) t) |> Option.defaultValue 99
    let sections =
        [ for task, cs in byTask |> List.sortBy (fst >> rank) ->
              let rows =
                  [ for c in cs ->
                        let paper, ratio =
                            match Paper.tryFind task c.Model c.Metric with
                            | Some p -> fmt p, Format.decimals 2 (c.Value.Mean / p.Mean)
                            | None -> "—", "—"
                        sprintf "| %s | %s | %s | %s | %s |" c.Metric c.Model (fmt c.Value) paper ratio ]
              let n = note task
              String.concat
                  "\n"
                  ([ sprintf "## %s" task
                     if n <> "" then
                         ""
                     if n <> "" then
                         sprintf "Note: %s" n
                     ""
                     "| metric | model | ours | paper | ours / paper |"
                     "|---|---|---|---|---|" ]
                   @ rows) ]
    String.concat
        "\n\n"
        ("# Results: ours beside the paper's (Greydanus et al. 2019, Table 1)"
         :: "Mean ± error as the paper reports them: losses ± std/√N; energy and rollout MSE ± std of 5 contiguous part means / √5; energy drift (relative, at the end of the horizon) ± std/√K over the K evaluation paths. Beyond the paper: energy_error (|ΔH|/|H₀| of each model path at t = 20, or the horizon's end if shorter; the median over paths ± a robust standard error), vpt (valid prediction time: the first time ‖x̂ − x‖/‖x‖ exceeds 0.1, the horizon if never) ± std/√K, energy_loss_rate (−slope of a line fitted to H along each model path, energy per unit time; _true: along the reference paths) ± std/√K, and a dissipative HNN's contraction_rate −ΔD (1/time) over the reference states ± std/√N."
         :: sections)
    + "\n"

/// Rewrites OutDir/results.md from OutDir/results.json; returns its path.
let writeMarkdown (outDir: string) =
    let folder = RunFolder outDir
    let cells = ResultsFile.Read folder.Results
    let path = folder.ResultsMarkdown
    IO.AtomicFile.WriteAllText(path, markdown cells)
    path

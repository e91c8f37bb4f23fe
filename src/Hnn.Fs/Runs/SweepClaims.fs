/// Claims over seeds: the comparisons with published numbers that the README makes on one seed, restated from a
/// merged sweep as mean ± sample standard deviation over its seeds — each model the paper reports (baseline, HNN) on
/// each of its tasks against Table 1 (Greydanus, Dzamba, Yosinski 2019), and the dissipative HNN on the real pendulum
/// against Sosanya & Greydanus (2022) and the paper's baseline and HNN. Written as `SWEEP_DIR/claims.md`.
module Hnn.SweepClaims

open System.IO
open Hnn.SweepMerge

/// The file inside a sweep folder.
let fileName = "claims.md"

/// Sosanya & Greydanus 2022 (Dissipative Hamiltonian Neural Networks), their dissipative HNN on the real pendulum
/// (centred differences): test loss and energy MSE as they report them.
let sosanyaGreydanus = Map.ofList [ "test_loss", 9.46e-04; "energy_mse", 1.07e-03 ]

/// The real-pendulum tasks (the paper's forward differences and our centred ones) on which the dissipative HNN is
/// compared with every published number.
let private realPendulums = [ "real-pendulum"; "real-pendulum-central" ]

/// The paper's metrics, in its table's order.
let private paperMetrics = [ "train_loss"; "test_loss"; "energy_mse" ]

let private sci (v: float) = Format.sci 3 v

let private spread (s: Summary) =
    match s.Std with
    | Some std -> sprintf "%s ± %s" (sci s.Mean) (sci std)
    | None -> sci s.Mean

let private range (values: float list) = sprintf "%s – %s" (sci (List.min values)) (sci (List.max values))

let private seedValues (s: Summary) = s.Seeds |> List.map snd

/// The rows comparing each group the paper reports (its tasks; baseline and HNN) with Table 1: task, model, metric,
/// ours (mean ± std), the seeds' range, n, the paper's value, ours / paper of the mean and the seeds' range of it.
/// The pixel pendulum's energy MSE is left out: our latent-space protocol does not measure it in the paper's units.
let paperRows (m: Merged) =
    [ for g in m.Groups do
          for metric in paperMetrics do
              match Paper.tryFind g.Task g.Model metric, g.Metrics |> List.tryFind (fst >> (=) metric) with
              | Some paper, Some(_, s) when not (g.Task = PixelPendulum.taskKey && metric = "energy_mse") ->
                  let ratios = seedValues s |> List.map (fun v -> v / paper.Mean)
                  yield
                      [ g.Task
                        label g
                        metric
                        spread s
                        range (seedValues s)
                        string s.N
                        sci paper.Mean
                        Format.decimals 2 (s.Mean / paper.Mean)
                        sprintf "%.2f – %.2f" (List.min ratios) (List.max ratios) ]
              | _ -> () ]

/// The rows of the dissipative HNN on a real-pendulum task: metric, ours (mean ± std), the worst seed, n, Sosanya &
/// Greydanus's number, the paper's baseline and HNN (real pendulum, forward differences), and on how many seeds ours
/// is below every published number.
let dissipativeRows (m: Merged) =
    [ for g in m.Groups do
          if g.Model = "dissipative-hnn" && List.contains g.Task realPendulums then
              for metric in [ "test_loss"; "energy_mse" ] do
                  match g.Metrics |> List.tryFind (fst >> (=) metric) with
                  | Some(_, s) ->
                      let published =
                          [ Some sosanyaGreydanus[metric]
                            Paper.tryFind "real-pendulum" "baseline" metric |> Option.map _.Mean
                            Paper.tryFind "real-pendulum" "hnn" metric |> Option.map _.Mean ]
                          |> List.choose id
                      let lowest = List.min published
                      let below = seedValues s |> List.filter (fun v -> v < lowest) |> List.length
                      let paper model =
                          Paper.tryFind "real-pendulum" model metric |> Option.map (fun v -> sci v.Mean) |> Option.defaultValue "—"
                      yield
                          [ g.Task
                            label g
                            metric
                            spread s
                            sci (List.max (seedValues s))
                            string s.N
                            sci sosanyaGreydanus[metric]
                            paper "baseline"
                            paper "hnn"
                            sprintf "%d of %d" below s.N ]
                  | None -> () ]

let private table (headers: string list) (rows: string list list) =
    [ "| " + String.concat " | " headers + " |"; "|" + String.replicate headers.Length "---|" ]
    @ [ for r in rows -> "| " + String.concat " | " r + " |" ]

/// claims.md of a merged sweep, or None if it holds nothing a published number compares with.
let markdown (m: Merged) =
    let paper = paperRows m
    let dissipative = dissipativeRows m
    if paper.IsEmpty && dissipative.IsEmpty then
        None
    else
        let seeds = m.Spec.Seeds |> List.map string |> String.concat ", "
        let lines =
            [ "# Claims over seeds: ours beside the published numbers"
              ""
              sprintf
                  "Mean ± sample standard deviation over the seeds that finished (seeds %s; n per row), from `hnn report` on a sweep. %s"
                  seeds
                  (if m.Missing.IsEmpty then
                       "Every job finished."
                   else
                       sprintf "%d of %d jobs have no results yet." m.Missing.Length m.Jobs)
              if not paper.IsEmpty then
                  ""
                  "## Beside the paper's Table 1 (Greydanus, Dzamba, Yosinski 2019)"
                  ""
                  yield!
                      table
                          [ "task"
                            "model"
                            "metric"
                            "ours: mean ± std"
                            "seeds' range"
                            "n"
                            "paper"
                            "ours / paper"
                            "ours / paper, seeds' range" ]
                          paper
                  ""
                  "Energy MSE uses each system's true energy (for the pendulum H = 3(1 − cos q) + p², where the reference squared q² + p²); the pixel pendulum's is left out (latent-space protocol, not the paper's units)."
              if not dissipative.IsEmpty then
                  ""
                  "## The dissipative HNN on the real pendulum beside every published number"
                  ""
                  yield!
                      table
                          [ "task"
                            "model"
                            "metric"
                            "ours: mean ± std"
                            "worst seed"
                            "n"
                            "Sosanya & Greydanus 2022"
                            "paper's baseline"
                            "paper's HNN"
                            "seeds below all three" ]
                          dissipative
                  ""
                  "`real-pendulum-central` trains on second-order centred differences, as Sosanya & Greydanus did; `real-pendulum` on the paper's forward differences. The paper's numbers are its real-pendulum row (forward differences)." ]
        Some(String.concat "\n" lines + "\n")

/// Writes SWEEP_DIR/claims.md from a merged sweep if it holds anything to compare; returns its path.
let write (sweepDir: string) (m: Merged) =
    markdown m
    |> Option.map (fun text ->
        let path = Path.Combine(sweepDir, fileName)
        IO.AtomicFile.WriteAllText(path, text)
        path)
